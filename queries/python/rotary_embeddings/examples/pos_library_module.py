# example: RoPE from the rotary-embedding-torch package, whose rotate_queries_or_keys is called on both q and k; positive (a library module doing the rotation counts).
import torch
import torch.nn as nn
import torch.nn.functional as F
from rotary_embedding_torch import RotaryEmbedding


class Attn(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, dim * 3, bias=False)
        self.to_out = nn.Linear(dim, dim, bias=False)
        self.pos = RotaryEmbedding(dim=dim // heads)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = (t.view(b, n, self.heads, -1).transpose(1, 2) for t in self.to_qkv(x).chunk(3, dim=-1))
        q = self.pos.rotate_queries_or_keys(q)
        k = self.pos.rotate_queries_or_keys(k)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.to_out(out.transpose(1, 2).reshape(b, n, d))


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([Attn(dim) for _ in range(depth)])
        self.unembed = nn.Linear(dim, vocab, bias=False)

    def forward(self, tokens):
        h = self.emb(tokens)
        for blk in self.blocks:
            h = h + blk(F.rms_norm(h, (h.size(-1),)))
        return self.unembed(F.rms_norm(h, (h.size(-1),)))
