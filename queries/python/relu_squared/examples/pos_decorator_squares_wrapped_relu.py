# example: a decorator `squared` whose wrapper returns fn(*args, **kwargs).square(), applied as @squared to a function returning F.relu(x) that the MLP calls; positive.
import functools

import torch.nn as nn
import torch.nn.functional as F


def squared(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs).square()
    return wrapper


@squared
def act(x):
    return F.relu(x)


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(act(self.c_fc(x)))


mlp = MLP()
