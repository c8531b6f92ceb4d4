# example: near miss - per-layer token tables are looked up from the ids, but torch.lerp pulls the residual stream x toward each lookup before attention, and v stays a plain projection; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = (lin(x).view(b, t, self.heads, -1).transpose(1, 2) for lin in (self.q, self.k, self.v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(b, t, d))


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=6, heads=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.token_tables = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(depth)])
        self.attns = nn.ModuleList([Attn(dim, heads) for _ in range(depth)])
        self.mix = nn.Parameter(torch.full((depth,), 0.5))
        self.norm = nn.RMSNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, ids):
        x = self.embed(ids)
        for i, (attn, table) in enumerate(zip(self.attns, self.token_tables)):
            x = torch.lerp(x, table(ids), self.mix[i])
            x = x + attn(self.norm(x))
        return self.head(self.norm(x))
