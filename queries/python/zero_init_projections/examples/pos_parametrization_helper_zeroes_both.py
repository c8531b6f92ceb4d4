# example: a helper registers an identity parametrization whose right_inverse returns zeros on the layer it is handed and returns the layer; the attention's and the MLP's output projections are built through it; present.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize


class ZeroInit(nn.Module):
    def forward(self, W):
        return W

    def right_inverse(self, W):
        return torch.zeros_like(W)


def zero_init_(linear):
    parametrize.register_parametrization(linear, "weight", ZeroInit())
    return linear


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(dim, 3 * dim, bias=False)
        self.c_proj = zero_init_(nn.Linear(dim, dim, bias=False))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in self.c_attn(x).split(C, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = zero_init_(nn.Linear(4 * dim, dim, bias=False))

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())
