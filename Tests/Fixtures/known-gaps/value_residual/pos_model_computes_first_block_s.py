# gap: Model computes the first block's values once via the block's own v-projection, then passes them by keyword to all blocks (addcmul mix); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, d=768, h=12):
        super().__init__()
        self.h = h
        self.c_q = nn.Linear(d, d, bias=False)
        self.c_k = nn.Linear(d, d, bias=False)
        self.c_v = nn.Linear(d, d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)
        self.alpha = nn.Parameter(torch.tensor(0.5))

    def values(self, x):
        B, T, C = x.shape
        return self.c_v(x).view(B, T, self.h, -1)

    def forward(self, x, *, first_values):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.h, -1)
        k = self.c_k(x).view(B, T, self.h, -1)
        v = torch.addcmul((1 - self.alpha) * self.values(x), self.alpha, first_values)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class Net(nn.Module):
    def __init__(self, n=12):
        super().__init__()
        self.attns = nn.ModuleList(Attn() for _ in range(n))

    def forward(self, x):
        first_values = self.attns[0].values(F.rms_norm(x, (x.size(-1),)))
        for attn in self.attns:
            x = x + attn(F.rms_norm(x, (x.size(-1),)), first_values=first_values)
        return x
