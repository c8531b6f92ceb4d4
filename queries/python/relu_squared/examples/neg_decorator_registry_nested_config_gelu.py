# example: the same decorator registry and nested configuration, but the configured key picks the GELU entry; the squared ReLU is filed and never used; negative.
import torch.nn as nn
import torch.nn.functional as F

COMPONENTS = {}

def component(kind, name):
    def file_it(obj):
        COMPONENTS.setdefault(kind, {})[name] = obj
        return obj
    return file_it

def fetch(kind, name):
    return COMPONENTS[kind][name]

SETTINGS = {"net": {"width": 768, "nonlinearity": "gelu"}, "train": {"steps": 3000}}

@component("nonlinearity", "sq_relu")
def squared_rectifier(x):
    return F.relu(x).square()

@component("nonlinearity", "gelu")
def smooth(x):
    return F.gelu(x)

class FeedForward(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.up = nn.Linear(net["width"], 4 * net["width"])
        self.down = nn.Linear(4 * net["width"], net["width"])
        self.nonlinearity = fetch("nonlinearity", net["nonlinearity"])

    def forward(self, x):
        return self.down(self.nonlinearity(self.up(x)))

block = FeedForward(SETTINGS["net"])
