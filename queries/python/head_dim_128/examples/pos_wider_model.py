# example: a 1024-wide model with 8 heads written as a config dict, so each head is 1024 / 8 = 128 wide; positive (the id is about head dim 128, other widths count).
import torch
import torch.nn as nn
import torch.nn.functional as F

MODEL = {"width": 1024, "heads": 1024 // 128, "depth": 16, "vocab": 50304}


class MHA(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width, bias=False)
        self.k = nn.Linear(width, width, bias=False)
        self.v = nn.Linear(width, width, bias=False)
        self.o = nn.Linear(width, width, bias=False)

    def forward(self, x):
        B, T, W = x.shape
        hd = W // self.heads
        q, k, v = (lin(x).view(B, T, self.heads, hd).transpose(1, 2) for lin in (self.q, self.k, self.v))
        return self.o(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, W))


stack = nn.ModuleList(MHA(MODEL["width"], MODEL["heads"]) for _ in range(MODEL["depth"]))
