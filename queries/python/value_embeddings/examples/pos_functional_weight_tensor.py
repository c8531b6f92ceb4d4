# example: one (layers, vocab, dim) parameter is indexed per layer with F.embedding on the token ids and blended into v in a functional attention helper; a third spelling.
import torch
import torch.nn.functional as F
from torch import nn


class ValueTokens(nn.Module):
    def __init__(self, layers: int, vocab: int, dim: int):
        super().__init__()
        self.table = nn.Parameter(torch.randn(layers, vocab, dim) * 0.02)

    def forward(self, ids: torch.Tensor, layer: int) -> torch.Tensor:
        return F.embedding(ids, self.table[layer])


def attention(x, w_qkv, w_o, ve, mix, n_head):
    B, T, C = x.shape
    q, k, v = F.linear(x, w_qkv).split(C, dim=-1)
    v = mix[0] * v + mix[1] * ve
    q, k, v = (t.view(B, T, n_head, -1).transpose(1, 2) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.linear(y.transpose(1, 2).reshape(B, T, C), w_o)


def forward(ids, embed, value_tokens, layer_weights, n_head=4):
    x = embed(ids)
    for i, (w_qkv, w_o, mix) in enumerate(layer_weights):
        x = x + attention(x, w_qkv, w_o, value_tokens(ids, i), mix, n_head)
    return x
