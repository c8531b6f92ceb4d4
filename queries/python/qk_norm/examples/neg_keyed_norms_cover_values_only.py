# example: the same keyed heads, but the dict of per-role norms holds only "v" (and an identity for "q" and "k"): queries and keys reach attention unnormalized; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def unit_rms(t, eps=1e-6):
    return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps)


class SelfAttention(nn.Module):
    ROLES = ("q", "k", "v")

    def __init__(self, width=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.maps = nn.ModuleDict({r: nn.Linear(width, width, bias=False) for r in self.ROLES})
        self.out = nn.Linear(width, width, bias=False)
        self.per_role_norm = {"q": lambda t: t, "k": lambda t: t, "v": unit_rms}

    def forward(self, x):
        B, T, C = x.shape
        h = {r: self.maps[r](x).view(B, T, self.n_head, C // self.n_head) for r in self.ROLES}
        h = {r: self.per_role_norm[r](t) for r, t in h.items()}
        q, k, v = (h[r].transpose(1, 2) for r in self.ROLES)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


y = SelfAttention()(torch.randn(2, 16, 768))
