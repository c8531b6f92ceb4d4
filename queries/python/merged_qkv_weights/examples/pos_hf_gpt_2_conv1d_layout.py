# example: HF GPT-2 "Conv1D" layout: one (d, 3d) weight applied with a single torch.addmm and split into q, k, v; positive.
import math

import torch
from torch import nn
import torch.nn.functional as F


class FusedQKVAttention(nn.Module):
    def __init__(self, d_model: int = 768, n_head: int = 6):
        super().__init__()
        self.n_head, self.d_model = n_head, d_model
        self.w_attn = nn.Parameter(torch.empty(d_model, 3 * d_model))
        self.b_attn = nn.Parameter(torch.zeros(3 * d_model))
        self.w_proj = nn.Parameter(torch.empty(d_model, d_model))
        nn.init.normal_(self.w_attn, std=0.5 / math.sqrt(d_model))
        nn.init.zeros_(self.w_proj)

    def forward(self, x):
        B, T, C = x.shape
        qkv = torch.addmm(self.b_attn, x.reshape(-1, C), self.w_attn).view(B, T, 3 * C)
        q, k, v = qkv.split(self.d_model, dim=-1)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return y.transpose(1, 2).reshape(B, T, C) @ self.w_proj
