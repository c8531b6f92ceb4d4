# example: an init function applied with model.apply uses nn.init.uniform_ with bound sqrt(3) * 0.5 / sqrt(fan_in), and the stacked qkv parameter uses the same bound; same scale, other layout.
import math

import torch
import torch.nn as nn


def small_uniform_(weight: torch.Tensor, fan_in: int):
    bound = math.sqrt(3) * 0.5 / math.sqrt(fan_in)
    nn.init.uniform_(weight, -bound, bound)


def init_linears(module: nn.Module):
    if isinstance(module, nn.Linear):
        small_uniform_(module.weight, module.in_features)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv_w = nn.Parameter(torch.empty(3, dim, dim))
        small_uniform_(self.qkv_w, dim)
        self.proj = nn.Linear(dim, dim, bias=False)


class Block(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.attn = Attention(dim, heads)
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.out = nn.Linear(4 * dim, dim, bias=False)


blocks = nn.ModuleList(Block() for _ in range(12))
blocks.apply(init_linears)
