# example: the same reshaping lambda, but the second mixed term is another projection of the layer input, not a value passed in; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.weights = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, table_piece):
        b, t, c = x.shape
        heads = lambda z: z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        q, k, v = heads(self.wq(x)), heads(self.wk(x)), heads(self.wv(x))
        v = self.weights[0] * v + self.weights[1] * heads(self.wk(x))
        return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, c)

class Model(nn.Module):
    def __init__(self, vocab=50304, width=768, heads=6, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.values = nn.Embedding(vocab, width * 3)
        self.layers = nn.ModuleList(Attention(width, heads) for _ in range(depth))

    def forward(self, idx):
        x = self.embed(idx)
        pieces = self.values(idx).chunk(3, dim=-1)
        for i, layer in enumerate(self.layers):
            x = x + layer(x, pieces[i % 3])
        return x
