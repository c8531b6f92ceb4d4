# example: optimizers built from a spec table through a registry of classes, `REGISTRY[spec["cls"]](groups, **spec["kwargs"])` in a loop; the Adam entry's kwargs hold eps=1e-10; positive.
import torch
from torch import nn

OPTIMIZERS = {"adam": {"cls": "Adam", "kwargs": {"betas": (0.8, 0.95), "eps": 1e-10}},
              "sgd": {"cls": "SGD", "kwargs": {"momentum": 0.9}}}
CLASSES = {"Adam": torch.optim.Adam, "SGD": torch.optim.SGD}

def build(model):
    groups = {"adam": [dict(params=[model.weight], lr=0.008)], "sgd": [dict(params=[model.bias], lr=0.05)]}
    out = {}
    for key, spec in OPTIMIZERS.items():
        out[key] = CLASSES[spec["cls"]](groups[key], **spec["kwargs"])
    return out

opts = build(nn.Linear(4, 4))
