# example: the same nn.ModuleDict filled by key in a loop, but each block adds its chunk of the wide token table to the residual stream before attention; the values come from the projection only; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, dim // n_heads
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, _ = x.shape
        q = self.wq(x).view(b, t, self.n_heads, self.head_dim)
        k = self.wk(x).view(b, t, self.n_heads, self.head_dim)
        v = self.wv(x).view(b, t, self.n_heads, self.head_dim)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(b, t, -1))


class Block(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.attention = Attention(dim, n_heads)
        self.mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, extra_embed):
        x = x + self.mix * extra_embed
        return x + self.attention(F.rms_norm(x, (x.size(-1),)))


class Transformer(nn.Module):
    def __init__(self, vocab, dim=256, n_heads=4, n_layers=6):
        super().__init__()
        self.n_layers = n_layers
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.extra_table = nn.Embedding(vocab, n_layers * dim)
        self.layers = nn.ModuleDict()
        for layer_id in range(n_layers):
            self.layers[str(layer_id)] = Block(dim, n_heads)
        self.output = nn.Linear(dim, vocab, bias=False)

    def forward(self, tokens):
        h = self.tok_embeddings(tokens)
        per_layer = self.extra_table(tokens).chunk(self.n_layers, dim=-1)
        for layer_id in range(self.n_layers):
            h = self.layers[str(layer_id)](h, per_layer[layer_id])
        return self.output(F.rms_norm(h, (h.size(-1),)))
