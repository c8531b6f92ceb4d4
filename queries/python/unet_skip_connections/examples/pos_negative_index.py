# example: encoder outputs kept in a list and decoder step i reads outs[-(i + 1)] scaled by a constant 0.5 before its block; positive (negative mirrored index, constant weight).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, d=768, n=12):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.half = n // 2

    def forward(self, x):
        outs = []
        for layer in self.layers[: self.half]:
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
            outs.append(x)
        for i, layer in enumerate(self.layers[self.half:]):
            x = x + 0.5 * outs[-(i + 1)]
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
        return x
