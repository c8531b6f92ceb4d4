# example: optimizers built per entry of a JSON configuration (`for entry in config["optimizer"]:`), each taking its parameters from a table of selector lambdas by the entry's "params_filter" (`"scalar": lambda m: [p for p in ... if p.ndim < 2]`) and its class from a registry whose Adam is a small factory of the file: the scalar entry goes to Adam, the matrix entry to the orthogonalizing optimizer; positive.
import json
import torch
import torch.nn as nn


def orthogonalize(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).to(p.dtype), alpha=-group["lr"])


CONFIG = json.loads("""
{
    "optimizer": [
        {"type": "Adam", "params_filter": "head", "params": {"lr": 0.008}},
        {"type": "Muon", "params_filter": "matrix", "params": {"lr": 0.05}},
        {"type": "Adam", "params_filter": "scalar", "params": {"lr": 0.02}}
    ]
}
""")

PARAM_SELECTORS = {
    "head": lambda m: [m[-1].weight],
    "matrix": lambda m: [p for p in m[0].parameters() if p.ndim == 2],
    "scalar": lambda m: [p for p in m[0].parameters() if p.ndim < 2],
}


def _adam(params, **kw):
    return torch.optim.Adam(params, **kw)


OPTIMIZERS = {"Adam": _adam, "Muon": Muon}


def initialize(model, config):
    entries = config["optimizer"]
    if isinstance(entries, dict):
        entries = [entries]
    made = []
    for entry in entries:
        params = PARAM_SELECTORS[entry["params_filter"]](model)
        made.append(OPTIMIZERS[entry["type"]](params, **dict(entry["params"])))
    return made


net = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 100, bias=False))
optimizers = initialize(net, CONFIG)
