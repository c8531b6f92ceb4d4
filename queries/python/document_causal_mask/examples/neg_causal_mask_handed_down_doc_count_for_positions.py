# example: the same layers handed a causal-only mask while the document count only restarts the position ids; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

EOT = 50256

def packed_mask(ids):
    n = ids.size(1)
    lower = torch.tril(torch.ones(n, n, dtype=torch.bool, device=ids.device))
    doc_ids = torch.cumsum(ids.eq(EOT).int(), dim=-1)
    starts = doc_ids.unsqueeze(-1) == doc_ids.unsqueeze(-2)
    positions = (starts & lower).sum(-1) - 1
    return lower.unsqueeze(0).unsqueeze(1), positions

class Mixer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)

    def forward(self, x, allowed):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed).transpose(1, 2).reshape(b, t, d)

class Stage(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.mix = Mixer(dim, heads)

    def forward(self, x, allowed):
        return x + self.mix(F.rms_norm(x, (x.size(-1),)), allowed)

class Net(nn.Module):
    def __init__(self, dim=768, heads=6, depth=12, vocab=50304):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.stages = nn.ModuleList(Stage(dim, heads) for _ in range(depth))

    def forward(self, ids):
        allowed, positions = packed_mask(ids)
        x = self.embed(ids) + self.embed(positions)
        for stage in self.stages:
            x = stage(x, allowed)
        return x
