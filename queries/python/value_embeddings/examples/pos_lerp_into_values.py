# example: a ModuleList of per-layer token tables is looked up from the ids and each attention layer receives its lookup as an argument, pulling v toward it with torch.lerp(v, table_out.view_as(v), self.w) before SDPA; positive.
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
        self.w = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, table_out):
        b, t, d = x.shape
        q = self.q(x).view(b, t, self.heads, -1)
        k = self.k(x).view(b, t, self.heads, -1)
        v = self.v(x).view(b, t, self.heads, -1)
        v = torch.lerp(v, table_out.view_as(v), self.w)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(b, t, d))


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=6, heads=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.value_tables = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(depth)])
        self.attns = nn.ModuleList([Attn(dim, heads) for _ in range(depth)])
        self.norm = nn.RMSNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, ids):
        x = self.embed(ids)
        for attn, table in zip(self.attns, self.value_tables):
            x = x + attn(self.norm(x), table(ids))
        return self.head(self.norm(x))
