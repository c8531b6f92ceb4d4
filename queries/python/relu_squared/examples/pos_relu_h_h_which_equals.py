# example: relu(h) * h, which equals relu(h)^2 pointwise (h where h>0 else 0, times h); debatable spelling of ReLU^2; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, n_embd=768):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=False)

    def forward(self, x):
        h = self.c_fc(x)
        h = F.relu(h) * h
        return self.c_proj(h)


mlp = MLP()
print(mlp(torch.randn(2, 768)).shape)
