# example: Megatron-style linear layers take an init_method read from a configuration object's field; the field is set to
# nn.init.zeros_ where the configuration is built, and both output projections are built with it; present.
import torch
import torch.nn as nn
import torch.nn.functional as F
from dataclasses import dataclass
from typing import Callable, Optional


class ColumnParallelLinear(nn.Module):
    def __init__(self, input_size, output_size, init_method=None):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(output_size, input_size))
        (init_method or nn.init.xavier_uniform_)(self.weight)

    def forward(self, x):
        return F.linear(x, self.weight)


class RowParallelLinear(ColumnParallelLinear):
    pass


@dataclass
class TransformerConfig:
    hidden_size: int = 768
    output_layer_init_method: Optional[Callable] = None


config = TransformerConfig(hidden_size=768, output_layer_init_method=nn.init.zeros_)


class SelfAttention(nn.Module):
    def __init__(self, h=768, heads=6):
        super().__init__()
        self.heads = heads
        self.query_key_value = ColumnParallelLinear(h, 3 * h)
        self.dense = RowParallelLinear(h, h, init_method=config.output_layer_init_method)

    def forward(self, x):
        b, s, h = x.shape
        q, k, v = self.query_key_value(x).view(b, s, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.dense(ctx.transpose(1, 2).reshape(b, s, h))


class MLP(nn.Module):
    def __init__(self, h=768):
        super().__init__()
        self.dense_h_to_4h = ColumnParallelLinear(h, 4 * h)
        self.dense_4h_to_h = RowParallelLinear(4 * h, h, init_method=config.output_layer_init_method)

    def forward(self, x):
        return self.dense_4h_to_h(F.relu(self.dense_h_to_4h(x)).square())
