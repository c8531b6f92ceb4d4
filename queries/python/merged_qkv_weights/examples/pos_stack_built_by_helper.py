# example: the (3, dim, dim) q/k/v stack is built by a helper of the file (make_stack(3, dim, dim) returns torch.empty(count, ...).uniform_()) and applied whole in one F.linear, the output chunked into q, k, v; positive.
import torch
import torch.nn.functional as F
from torch import nn


def make_stack(count, fan_in, fan_out, gain=0.5):
    bound = (3 ** 0.5) * gain * fan_in ** -0.5
    return torch.empty(count, fan_out, fan_in).uniform_(-bound, bound)


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Parameter(make_stack(3, dim, dim))
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, _ = x.shape
        q, k, v = F.linear(x, self.qkv.flatten(end_dim=1)).view(B, T, 3 * self.heads, -1).chunk(3, dim=-2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, -1))
