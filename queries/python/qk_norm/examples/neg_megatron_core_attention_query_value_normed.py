# example: the same Megatron layout with a stateless CoreAttention, but the heads normalized are the query and the value; the key reaches the core raw; NOT present.
import torch
import torch.nn.functional as F
from torch import nn


def rms_norm(x):
    return F.rms_norm(x, (x.size(-1),))


class CoreAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config

    def forward(self, query, key, value):
        return F.scaled_dot_product_attention(query, key, value, is_causal=True)


class SelfAttention(nn.Module):
    def __init__(self, hidden=768, heads=6):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.linear_qkv = nn.Linear(hidden, 3 * hidden, bias=False)
        self.core_attention = CoreAttention(None)
        self.linear_proj = nn.Linear(hidden, hidden, bias=False)

    def forward(self, hidden_states):
        B, T, C = hidden_states.size()
        query, key, value = self.linear_qkv(hidden_states).split(C, dim=2)
        query = rms_norm(query.view(B, T, self.heads, self.head_dim))
        key = key.view(B, T, self.heads, self.head_dim)
        value = rms_norm(value.view(B, T, self.heads, self.head_dim))
        context = self.core_attention(query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2))
        return self.linear_proj(context.transpose(1, 2).reshape(B, T, C))
