# example: the optimizer entries of a YAML document the script loads (`RUN = yaml.safe_load(RUN_YAML)`, block sequences of mappings, an anchor for shared settings merged with `<<: *common`, comments), each picking its class from a registry by its "type" and its settings from a copy of its "params": AdamW at 0.0036, the orthogonalizing optimizer at 0.00036; positive.
import yaml

import torch
import torch.nn as nn


def orthogonalize(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x


class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).to(p.dtype), alpha=-group["lr"])


RUN_YAML = """
# one entry per optimizer: class by type, parameters by selector
common: &common
  momentum: 0.95
optimizers:
  - type: adamw
    select: head
    params:
      lr: 0.0036
      betas: [0.9, 0.95]
      foreach: true
  - type: orthogonal
    select: hidden
    params:
      <<: *common
      lr: 0.00036
checkpoint: ~
"""
RUN = yaml.safe_load(RUN_YAML)
REGISTRY = {"adamw": torch.optim.AdamW, "orthogonal": Orthogonal}


def pick(model, which):
    if which == "head":
        return list(model[-1].parameters())
    return [p for p in model[:-1].parameters() if p.ndim == 2]


def build(model, settings):
    made = []
    for spec in settings["optimizers"]:
        kw = dict(spec.get("params", {}))
        if "betas" in kw:
            kw["betas"] = tuple(kw["betas"])
        made.append(REGISTRY[spec["type"]](pick(model, spec["select"]), **kw))
    return made


net = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False), nn.Linear(64, 100, bias=False))
optimizers = build(net, RUN)
