# example: model.apply(to_storage) with a functools.singledispatch function whose only overload is registered for nn.Linear (register(nn.Linear)) and casts the linears to bf16; the embeddings stay fp32, the wrong split; negative.
import functools

import torch
import torch.nn as nn


@functools.singledispatch
def to_storage(module):
    return module


@to_storage.register(nn.Linear)
def _(module):
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
