# example: the attention forward runs SDPA inside torch.nn.attention.sdpa_kernel(SDPBackend.CUDNN_ATTENTION); positive (context-manager spelling).
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


class SelfAttention(nn.Module):
    def __init__(self, width=768, n_heads=6):
        super().__init__()
        self.n_heads = n_heads
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)

    def forward(self, h):
        B, T, W = h.shape
        q, k, v = (m(h).view(B, T, self.n_heads, -1).transpose(1, 2) for m in (self.wq, self.wk, self.wv))
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(o.transpose(1, 2).reshape(B, T, W))
