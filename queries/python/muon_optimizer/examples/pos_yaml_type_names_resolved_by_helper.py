# example: the optimizers are entries of a YAML document (`type: OrthoNesterov`, unquoted words), each class picked by a helper that looks the name up in the file's registry and falls back to `torch.optim` (`if name in REGISTRY: return REGISTRY[name]` / `return getattr(torch.optim, name)`); the registry's class orthogonalizes its momentum update by Newton-Schulz; positive.
import torch
import torch.nn as nn
import yaml

CONFIG = """
optimizers:
  - type: AdamW
    part: head
    lr: 0.0018
  - type: OrthoNesterov
    part: blocks
    lr: 0.018
"""
cfg = yaml.safe_load(CONFIG)


def orthogonalize(g, steps=5, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.bfloat16() / (g.norm() + eps)
    if g.size(0) > g.size(1):
        x = x.T
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    if g.size(0) > g.size(1):
        x = x.T
    return x.to(g.dtype)


class OrthoNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                buf = state.setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


REGISTRY = {"OrthoNesterov": OrthoNesterov}


def resolve(name):
    if name in REGISTRY:
        return REGISTRY[name]
    return getattr(torch.optim, name)


model = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False), nn.Linear(64, 100, bias=False))
parts = {"head": list(model[-1].parameters()), "blocks": list(model[:-1].parameters())}
optimizers = []
for entry in cfg["optimizers"]:
    cls = resolve(entry["type"])
    optimizers.append(cls(parts[entry["part"]], lr=entry["lr"]))
