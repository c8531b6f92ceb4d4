# example: the table for layer i is chosen with min(i, depth - 1 - i), so layer i and layer depth-1-i share one value table; a third, index-arithmetic spelling.
import torch
import torch.nn as nn
import torch.nn.functional as F

DEPTH = 12


class ValueTables(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=DEPTH):
        super().__init__()
        self.depth = depth
        self.tables = nn.ModuleList(nn.Embedding(vocab, width) for _ in range(depth // 2))

    def table_for(self, layer: int) -> nn.Embedding:
        return self.tables[min(layer, self.depth - 1 - layer)]


def attn_with_values(x, ids, layer, tables: ValueTables, w_qkv, lambdas, heads=6):
    b, t, c = x.shape
    q, k, v = F.linear(x, w_qkv).split(c, dim=-1)
    v = lambdas[0] * v + lambdas[1] * tables.table_for(layer)(ids)
    q, k, v = (z.view(b, t, heads, -1).transpose(1, 2) for z in (q, k, v))
    return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, c)


def model_forward(x, ids, tables, weights):
    for layer in range(DEPTH):
        x = x + attn_with_values(x, ids, layer, tables, *weights[layer])
    return x
