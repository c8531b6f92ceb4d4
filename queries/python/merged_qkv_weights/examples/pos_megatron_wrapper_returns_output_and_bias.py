# example: Megatron-style linear wrapper whose forward returns (output, bias); the attention's linear_qkv holds one (3, h, h) weight used in a single F.linear, and the caller unpacks the output and splits it into q, k and v; present.
import torch
import torch.nn.functional as F
from torch import nn


class ColumnParallelLinear(nn.Module):
    def __init__(self, input_size, output_size, num_stacked=1):
        super().__init__()
        shape = (num_stacked, output_size, input_size) if num_stacked > 1 else (output_size, input_size)
        self.weight = nn.Parameter(torch.empty(*shape).uniform_(-0.03, 0.03))

    def forward(self, x):
        w = self.weight.flatten(end_dim=-2) if self.weight.ndim > 2 else self.weight
        return F.linear(x, w.type_as(x)), None


class SelfAttention(nn.Module):
    def __init__(self, hidden=768, heads=6):
        super().__init__()
        self.heads = heads
        self.linear_qkv = ColumnParallelLinear(hidden, hidden, num_stacked=3)
        self.linear_proj = ColumnParallelLinear(hidden, hidden)

    def forward(self, hidden_states):
        B, T, C = hidden_states.size()
        mixed_qkv, _ = self.linear_qkv(hidden_states)
        q, k, v = mixed_qkv.view(B, T, 3 * self.heads, -1).transpose(1, 2).chunk(3, dim=1)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out, _ = self.linear_proj(y.transpose(1, 2).reshape(B, T, C))
        return out
