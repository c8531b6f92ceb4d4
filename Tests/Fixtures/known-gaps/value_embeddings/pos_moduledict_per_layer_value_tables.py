# gap: ModuleDict of per-layer value tables; the mix into v is a learned weighted sum over torch.stack([v, ve]); positive.
import torch
from torch import nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, width, n_head):
        super().__init__()
        self.n_head = n_head
        self.Wqkv = nn.Linear(width, 3 * width, bias=False)
        self.Wo = nn.Linear(width, width, bias=False)
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, h, value_embed):
        b, t, w = h.shape
        q, k, v = self.Wqkv(h).split(w, dim=-1)
        v = torch.einsum("s,sbtd->btd", self.mix, torch.stack([v, value_embed]))
        q, k, v = (z.reshape(b, t, self.n_head, -1).transpose(1, 2) for z in (q, k, v))
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return h + self.Wo(o.transpose(1, 2).reshape(b, t, w))


class Transformer(nn.Module):
    def __init__(self, vocab=50304, width=512, depth=6, n_head=8):
        super().__init__()
        self.token_embed = nn.Embedding(vocab, width)
        self.value_embeds = nn.ModuleDict({str(i): nn.Embedding(vocab, width) for i in range(depth)})
        self.layers = nn.ModuleList(Layer(width, n_head) for _ in range(depth))

    def forward(self, tokens):
        h = self.token_embed(tokens)
        for i, layer in enumerate(self.layers):
            h = layer(h, self.value_embeds[str(i)](tokens))
        return h
