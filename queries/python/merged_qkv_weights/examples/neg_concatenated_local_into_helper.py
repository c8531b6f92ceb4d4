# example: near miss - the three projection weights are concatenated into a local just before the product helper runs;
# one product per forward, but the weights stay three parameters; negative.
import torch
from torch import nn


def matmul_t(x, w):
    return x @ w.t()


class SelfAttention(nn.Module):
    def __init__(self, width=768, heads=6):
        super().__init__()
        self.heads = heads
        self.query = nn.Parameter(torch.empty(width, width).normal_(std=0.02))
        self.key = nn.Parameter(torch.empty(width, width).normal_(std=0.02))
        self.value = nn.Parameter(torch.empty(width, width).normal_(std=0.02))

    def forward(self, x):
        joined = torch.cat((self.query, self.key, self.value), dim=0)
        out = matmul_t(x, joined)
        q, k, v = out.split(x.size(-1), dim=-1)
        att = torch.softmax(q @ k.transpose(-2, -1) / q.size(-1) ** 0.5, dim=-1)
        return att @ v
