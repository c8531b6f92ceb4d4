# example: three ordinary nn.Embedding tables live in a ModuleDict; a pure helper looks tokens up with F.embedding in each table's weight (the weights handed in as a tuple, the lookups handed back as one) and the attention function mixes the result into its values; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def lookup_all(weights, tokens):
    return tuple(F.embedding(tokens, table_weight) for table_weight in weights)


def attend(qkv_w, x, extra, gain):
    q, k, v = F.linear(x, qkv_w).chunk(3, dim=-1)
    v = gain[0] * v + gain[1] * extra
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


class Model(nn.Module):
    def __init__(self, vocab=50304, d=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.value_tables = nn.ModuleDict({name: nn.Embedding(vocab, d) for name in ("a", "b", "c")})
        self.qkv = nn.ParameterList([nn.Parameter(torch.randn(3 * d, d) * d ** -0.5) for _ in range(3)])
        self.gain = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, tokens):
        x = self.tok(tokens)
        extras = lookup_all(tuple(t.weight for t in self.value_tables.values()), tokens)
        for i in range(3):
            x = x + attend(self.qkv[i], x, extras[i], self.gain)
        return x
