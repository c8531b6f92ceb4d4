# example: the same (output, bias) wrapper, but queries come from their own layer and one (2, h, h) weight gives keys and values, split in two; NOT present.
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
        self.linear_q = ColumnParallelLinear(hidden, hidden)
        self.linear_kv = ColumnParallelLinear(hidden, hidden, num_stacked=2)
        self.linear_proj = ColumnParallelLinear(hidden, hidden)

    def forward(self, hidden_states):
        B, T, C = hidden_states.size()
        q, _ = self.linear_q(hidden_states)
        mixed_kv, _ = self.linear_kv(hidden_states)
        q = q.view(B, T, self.heads, -1).transpose(1, 2)
        k, v = mixed_kv.view(B, T, 2 * self.heads, -1).transpose(1, 2).chunk(2, dim=1)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out, _ = self.linear_proj(y.transpose(1, 2).reshape(B, T, C))
        return out
