# gap: Functional: a ParameterList of separate (vocab, dim) weight tensors, each looked up with F.embedding, and the lookups fed to the attention value mix; positive.
import torch
from torch import nn
import torch.nn.functional as F


class ValueTables(nn.Module):
    def __init__(self, vocab: int, dim: int, count: int = 6):
        super().__init__()
        self.weights = nn.ParameterList(nn.Parameter(torch.randn(vocab, dim) * 0.02) for _ in range(count))

    def forward(self, ids):
        return [F.embedding(ids, w) for w in self.weights]


def attn(x, ve, p, n_head=6):
    B, T, C = x.shape
    q, k, v = F.linear(x, p["qkv"]).split(C, dim=-1)
    v = p["lam"][0] * v + p["lam"][1] * ve
    q, k, v = (t.view(B, T, n_head, -1).transpose(1, 2) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.linear(y.transpose(1, 2).reshape(B, T, C), p["proj"])


def forward(ids, wte, tables: ValueTables, layer_params):
    x = F.embedding(ids, wte)
    ves = tables(ids)
    ves = ves + list(reversed(ves))
    for ve, p in zip(ves, layer_params):
        x = x + attn(F.rms_norm(x, (x.size(-1),)), ve, p)
    return x
