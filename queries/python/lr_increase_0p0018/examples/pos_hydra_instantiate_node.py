# example: the optimizer is built by a Hydra-style `instantiate(cfg["optim"]["main"], params)` from a YAML node naming `torch.optim.AdamW` with `_target_` and giving `lr: 1.8e-3`; present.
import copy
import importlib

import torch
import yaml

SPEC = """
optim:
  main:
    _target_: torch.optim.AdamW
    lr: 1.8e-3
    betas: [0.9, 0.95]
    weight_decay: 0.0
  probe:
    _target_: torch.optim.SGD
    lr: 0.1
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
