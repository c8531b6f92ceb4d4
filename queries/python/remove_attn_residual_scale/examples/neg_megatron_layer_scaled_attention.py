# example: the same Megatron layout, but the layer scales the self-attention module's output by 1/sqrt(2 * layers) before adding it to the residual stream; NOT present.
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
        self.heads = heads
        self.linear_qkv = nn.Linear(hidden, 3 * hidden, bias=False)
        self.core_attention = CoreAttention(None)
        self.linear_proj = nn.Linear(hidden, hidden, bias=False)

    def forward(self, hidden_states):
        B, T, C = hidden_states.size()
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in self.linear_qkv(hidden_states).split(C, dim=2))
        context = self.core_attention(q, k, v)
        return self.linear_proj(context.transpose(1, 2).reshape(B, T, C))


class TransformerLayer(nn.Module):
    def __init__(self, hidden=768, layers=12):
        super().__init__()
        self.self_attention = SelfAttention(hidden)
        self.attn_scale = 1 / (2 * layers) ** 0.5
        self.mlp = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.ReLU(), nn.Linear(4 * hidden, hidden))

    def forward(self, hidden_states):
        hidden_states = hidden_states + self.attn_scale * self.self_attention(rms_norm(hidden_states))
        return hidden_states + self.mlp(rms_norm(hidden_states))
