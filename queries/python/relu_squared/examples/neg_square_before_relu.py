# example: near miss - F.relu(x ** 2) squares first, so the ReLU does nothing and the activation is x^2; negative (wrong order).
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.proj = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        h = self.fc(x)
        h = F.relu(h ** 2)
        return self.proj(h)


class Block(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.mlp = MLP(dim)

    def forward(self, x):
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))
