# example: the attention module's forward is decorated with sdpa_kernel(SDPBackend.CUDNN_ATTENTION) imported from torch.nn.attention; positive (decorator form).
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    @sdpa_kernel(SDPBackend.CUDNN_ATTENTION)
    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in self.qkv(x).split(C, dim=-1))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


attn = Attention().cuda().bfloat16()
y = attn(torch.randn(2, 64, 768, device="cuda", dtype=torch.bfloat16))
