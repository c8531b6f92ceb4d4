# example (negative): functional code hands the value table to a lookup helper, but the second helper repeats
# the pieces in the same order (pieces + pieces): layer i and layer i + 4 share a table, nothing is mirrored.
import torch
import torch.nn as nn
import torch.nn.functional as F


def lookup_split(table, tokens, parts):
    return table(tokens).chunk(parts, dim=-1)


def mirror_layout(pieces):
    pieces = list(pieces)
    return pieces + pieces


def layer_apply(p, x, value_in):
    b, t, c = x.shape
    q, k, v = F.linear(x, p["w_qkv"]).split(c, dim=-1)
    v = v + value_in
    q, k, v = (z.view(b, t, 4, -1).transpose(1, 2) for z in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return x + F.linear(y.transpose(1, 2).reshape(b, t, c), p["w_out"])


class Stack(nn.Module):
    def __init__(self, vocab=50304, width=256, depth=8):
        super().__init__()
        self.depth = depth
        self.tok = nn.Embedding(vocab, width)
        self.value_table = nn.Embedding(vocab, width * (depth // 2))
        self.params = [
            {"w_qkv": nn.Parameter(torch.randn(3 * width, width) * 0.02), "w_out": nn.Parameter(torch.zeros(width, width))}
            for _ in range(depth)
        ]

    def forward(self, tokens):
        x = self.tok(tokens)
        per_layer = mirror_layout(lookup_split(self.value_table, tokens, self.depth // 2))
        for i in range(self.depth):
            x = layer_apply(self.params[i], x, per_layer[i])
        return x
