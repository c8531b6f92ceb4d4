# example: The run configuration is a nested dictionary a module-level function returns wrapped in an attribute-access config class; optimizers are built from its `_component_` nodes by the file's own instantiate helper, Adam's node holding eps 1e-10; positive.
import importlib

import torch
import torch.nn as nn


class AttrDict(dict):
    def __init__(self, data=None):
        super().__init__()
        for key, value in (data or {}).items():
            self[key] = AttrDict(value) if isinstance(value, dict) else value

    def __getattr__(self, key):
        return self[key]


def locate(path):
    module_name, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), name)


def instantiate(node, *args, **extra):
    settings = dict(node)
    factory = locate(settings.pop("_component_"))
    settings.update(extra)
    return factory(*args, **settings)


def recipe_config():
    return AttrDict({
        "model": {"width": 768, "depth": 12, "vocab": 50304},
        "optim": {
            "embed": {"_component_": "torch.optim.Adam", "lr": 0.6, "betas": (0.8, 0.95), "eps": 1e-10},
            "hidden": {"_component_": "torch.optim.SGD", "lr": 0.05, "momentum": 0.95, "nesterov": True},
        },
    })


cfg = recipe_config()
net = nn.Sequential(nn.Embedding(cfg.model.vocab, cfg.model.width), *[nn.Linear(cfg.model.width, cfg.model.width, bias=False) for _ in range(cfg.model.depth)])
embed_opt = instantiate(cfg.optim.embed, [net[0].weight])
hidden_opt = instantiate(cfg.optim.hidden, [p for p in net[1:].parameters()])
for step in range(10):
    tokens = torch.randint(0, cfg.model.vocab, (4, 16))
    loss = net(tokens).pow(2).mean()
    loss.backward()
    for opt in (embed_opt, hidden_opt):
        opt.step()
        opt.zero_grad(set_to_none=True)
