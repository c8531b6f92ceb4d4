# example: a single learnable lamb makes a convex mix (1 - lamb) * v + lamb * vi; the two weights are tied, so NOT two independent lambdas.
import torch
from torch import nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, vi):
        B, T = x.size(0), x.size(1)
        q, k, v = (proj(x).view(B, T, self.n_head, -1) for proj in (self.c_q, self.c_k, self.c_v))
        v = (1 - self.lamb) * v + self.lamb * vi.view_as(v)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, -1))
