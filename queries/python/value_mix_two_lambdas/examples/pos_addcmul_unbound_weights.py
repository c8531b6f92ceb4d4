# example: a 2-element Parameter is unbound into w_self and w_emb and the values are mixed in place of a written sum
# as torch.addcmul(v * w_self, ve, w_emb) (= w_self * v + w_emb * ve); positive.
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.value_weights = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        w_self, w_emb = self.value_weights.unbind(0)
        v = torch.addcmul(v * w_self, ve, w_emb)
        q, k, v = (z.view(B, T, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))
