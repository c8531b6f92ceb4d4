# example: a factory returns (initial_weights, mix); the attention unpacks it into a local and a field, keeps two learnable weights from initial_weights(), and mixes values with w[0] * v + w[1] * ve through self.blend; present.
import torch
from torch import nn
import torch.nn.functional as F


def make_value_mixer(init=(0.5, 0.5)):
    def initial_weights():
        return torch.tensor(list(init))

    def mix(v, ve, w):
        return w[0] * v + w[1] * ve.view_as(v)

    return initial_weights, mix


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        init_w, self.blend = make_value_mixer()
        self.value_weights = nn.Parameter(init_w())

    def forward(self, x, vi):
        B, T = x.size(0), x.size(1)
        q, k, v = (proj(x).view(B, T, self.n_head, -1) for proj in (self.c_q, self.c_k, self.c_v))
        v = self.blend(v, vi, self.value_weights)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, -1))
