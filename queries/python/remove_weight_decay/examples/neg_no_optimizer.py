# example: a model-only file (no optimizer constructed at all) - there is nothing whose decay could have been removed; negative (removal ids need their context).
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.mlp = MLP(d)

    def forward(self, x):
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))
