# example: Hand-written attention with einsum; the softmax scale is a constructor kwarg default 0.12 applied with mul_; positive.
import torch
from torch import nn
import torch.nn.functional as F


class EinsumAttention(nn.Module):
    def __init__(self, dim=768, heads=6, softmax_scale=0.12):
        super().__init__()
        self.heads = heads
        self.softmax_scale = softmax_scale
        self.w_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.w_o = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.w_qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
        logits = torch.einsum("bqhd,bkhd->bhqk", q, k).mul_(self.softmax_scale)
        mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu_(1)
        probs = logits.masked_fill(mask, float("-inf")).float().softmax(-1).type_as(v)
        y = torch.einsum("bhqk,bkhd->bqhd", probs, v)
        return self.w_o(y.reshape(B, T, C))
