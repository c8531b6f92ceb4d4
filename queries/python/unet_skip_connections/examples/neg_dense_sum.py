# example: near miss - DenseNet-style: every block adds the sum of ALL previous outputs (no mirrored pairing); negative.
import torch
import torch.nn as nn


class Dense(nn.Module):
    def __init__(self, d=768, n=12):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))

    def forward(self, x):
        outs = []
        for layer in self.layers:
            x = layer(x + sum(outs)) if outs else layer(x)
            outs.append(x)
        return x
