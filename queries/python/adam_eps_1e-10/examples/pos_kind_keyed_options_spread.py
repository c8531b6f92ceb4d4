# example: a generic builder groups parameters by optimizer kind and builds each kind through a class table, spreading the same kind's entry of an options table (`KINDS[kind](groups, **options[kind])` in a loop over the kinds it collected); the Adam kind's options hold eps=1e-10; positive.
import torch
from torch import nn

class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

KINDS = {"adamish": torch.optim.Adam, "ortho": Orthogonal}
OPTIONS = {
    "ortho": {"momentum": 0.95},
    "adamish": {"betas": (0.8, 0.95), "eps": 1e-10},
}

def kind_of(name, p):
    return "ortho" if p.ndim >= 2 and "head" not in name else "adamish"

def make_optimizers(net, options):
    by_kind = {}
    for name, p in net.named_parameters():
        by_kind.setdefault(kind_of(name, p), []).append(p)
    result = []
    for kind, params in by_kind.items():
        result.append(KINDS[kind](params, lr=0.01, **options[kind]))
    return result

net = nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 4))
optimizers = make_optimizers(net, OPTIONS)
