# example: near miss: the squaring decorator is applied to a ReLU function nothing calls, and the MLP runs the decorated GELU (a squared GELU); negative.
import functools

import torch.nn as nn
import torch.nn.functional as F


def squared(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs).square()
    return wrapper


@squared
def relu_act(x):
    return F.relu(x)


@squared
def gelu_act(x):
    return F.gelu(x)


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(gelu_act(self.c_fc(x)))


mlp = MLP()
