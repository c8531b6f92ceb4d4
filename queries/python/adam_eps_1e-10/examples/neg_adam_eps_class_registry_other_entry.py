# example: near miss - the same registry loop, but 1e-10 is an entry of the SGD spec's kwargs (not Adam's, which keeps the default eps); negative.
import torch
from torch import nn

OPTIMIZERS = {"adam": {"cls": "Adam", "kwargs": {"betas": (0.8, 0.95)}},
              "sgd": {"cls": "SGD", "kwargs": {"momentum": 0.9, "eps": 1e-10}}}
CLASSES = {"Adam": torch.optim.Adam, "SGD": torch.optim.SGD}

def build(model):
    groups = {"adam": [dict(params=[model.weight], lr=0.008)], "sgd": [dict(params=[model.bias], lr=0.05)]}
    out = {}
    for key, spec in OPTIMIZERS.items():
        out[key] = CLASSES[spec["cls"]](groups[key], **spec["kwargs"])
    return out

opts = build(nn.Linear(4, 4))
