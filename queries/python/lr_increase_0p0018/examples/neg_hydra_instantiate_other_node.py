# example: the same Hydra-style configuration, but the node the model's optimizer is instantiated from keeps 0.0015; the 0.0018 sits on a node nothing instantiates; NOT present.
import copy
import importlib

import torch
import yaml

SPEC = """
optim:
  main:
    _target_: torch.optim.AdamW
    lr: 1.5e-3
    betas: [0.9, 0.95]
    weight_decay: 0.0
  unused:
    _target_: torch.optim.AdamW
    lr: 0.0018
"""


def instantiate(node, *args, **extra):
    node = copy.deepcopy(node)
    module, _, name = node.pop("_target_").rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    return cls(*args, **{**node, **extra})


cfg = yaml.safe_load(SPEC)
model = torch.nn.Linear(768, 768)
optimizer = instantiate(cfg["optim"]["main"], model.parameters())
for step in range(100):
    loss = model(torch.randn(4, 768)).square().mean()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
