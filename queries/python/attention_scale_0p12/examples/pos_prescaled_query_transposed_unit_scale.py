# example: the query is multiplied by 0.12 in the (B, T, H, D) layout and transposed into SDPA's layout at the call, which runs with scale=1.0; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

class Attention(nn.Module):
    def __init__(self, width=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).unbind(2)
        q = q * 0.12
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True, scale=1.0)
        return y.transpose(1, 2).reshape(b, t, c)
