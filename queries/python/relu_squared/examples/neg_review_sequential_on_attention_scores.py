# example: ReLU-squared attention: the softmax over scores is replaced by nn.Sequential(nn.ReLU(), Squared()), while the MLP keeps GELU; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Squared(nn.Module):
    def forward(self, t):
        return t * t


class Block(nn.Module):
    def __init__(self, width=128, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.proj = nn.Linear(width, width, bias=False)
        self.score_act = nn.Sequential(nn.ReLU(), Squared())
        self.fc = nn.Linear(width, 4 * width, bias=False)
        self.out = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).transpose(1, 3).unbind(dim=2)
        scores = self.score_act(q @ k.transpose(-2, -1) / (c // self.heads) ** 0.5)
        scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), 0.0)
        y = (scores @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(x)))


print(Block()(torch.randn(2, 16, 128)).shape)
