# example: queries and keys are L2-normalized per head with F.normalize(dim=-1) and a fixed scale is passed to SDPA (cosine attention); positive (L2 QK-norm counts).
import torch
import torch.nn as nn
import torch.nn.functional as F


class CosineAttention(nn.Module):
    def __init__(self, d_model=1024, n_head=8, scale=10.0):
        super().__init__()
        self.n_head, self.scale = n_head, scale
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q = F.normalize(q.view(B, T, self.n_head, -1), dim=-1)
        k = F.normalize(k.view(B, T, self.n_head, -1), dim=-1)
        v = v.view(B, T, self.n_head, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                           is_causal=True, scale=self.scale)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


attn = CosineAttention()
print(attn(torch.randn(2, 16, 1024)).shape)
