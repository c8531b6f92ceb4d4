# example: a linear base class picks its initializer out of a decorator registry by a key it falls back to when none is passed (no construction, and no subclass's super().__init__, passes one); the filed initializer draws uniformly with std 0.5 / sqrt(fan_in); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

INITS = {}

def initializer(name):
    def file_it(fn):
        INITS[name] = fn
        return fn
    return file_it

OPTIONS = {"init": "half_fan_in", "gain": 0.5}

@initializer("half_fan_in")
def half_fan_in(weight, gain):
    std = gain / weight.size(1) ** 0.5
    with torch.no_grad():
        weight.uniform_(-(3 ** 0.5) * std, (3 ** 0.5) * std)

@initializer("default")
def default_init(weight, gain):
    nn.init.kaiming_uniform_(weight)

class Projection(nn.Linear):
    def __init__(self, fan_in, fan_out, scheme=None):
        self.scheme = scheme if scheme is not None else OPTIONS["init"]
        super().__init__(fan_in, fan_out, bias=False)

    def reset_parameters(self):
        INITS[self.scheme](self.weight, OPTIONS["gain"])

class Readout(Projection):
    def __init__(self, width, vocab):
        super().__init__(width, vocab)

class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up = Projection(d, 4 * d)
        self.down = Projection(4 * d, d)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())

head = Readout(768, 50304)
