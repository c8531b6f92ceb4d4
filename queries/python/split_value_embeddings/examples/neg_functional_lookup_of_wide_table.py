# example (negative): the same functional lookup style, but F.embedding reads one wide table's weight (dim * 3) and the result is chunked per layer: a single table, not split value embeddings.
import torch
import torch.nn as nn
import torch.nn.functional as F


def lookup_chunks(weight, tokens, n):
    return F.embedding(tokens, weight).chunk(n, dim=-1)


def attend(qkv_w, x, extra, gain):
    q, k, v = F.linear(x, qkv_w).chunk(3, dim=-1)
    v = gain[0] * v + gain[1] * extra
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


class Model(nn.Module):
    def __init__(self, vocab=50304, d=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.wide = nn.Embedding(vocab, d * 3)
        self.qkv = nn.ParameterList([nn.Parameter(torch.randn(3 * d, d) * d ** -0.5) for _ in range(3)])
        self.gain = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, tokens):
        x = self.tok(tokens)
        extras = lookup_chunks(self.wide.weight, tokens, 3)
        for i in range(3):
            x = x + attend(self.qkv[i], x, extras[i], self.gain)
        return x
