# example: model.apply(to_storage) with a functools.singledispatch function whose overload for nn.Embedding (annotated parameter) calls module.bfloat16(); the default leaves every other module fp32 and nothing casts the whole model; positive.
import functools

import torch
import torch.nn as nn


@functools.singledispatch
def to_storage(module):
    return module


@to_storage.register
def _(module: nn.Embedding):
    return module.bfloat16()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 512)
        self.values = nn.ModuleList(nn.Embedding(50304, 512) for _ in range(3))
        self.layers = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(8))
        self.gains = nn.Parameter(torch.full((8, 2), 0.5))


net = Net().cuda()
net.apply(to_storage)
