# example: MLP with a plain ReLU (no square); the only .square() in the file is in the loss; negative (near miss for a matcher that finds relu and square in one file).
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, n_embd=768):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=False)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)))


mlp = MLP()
x = torch.randn(4, 768)
loss = (mlp(x) - x).square().mean()
loss.backward()
