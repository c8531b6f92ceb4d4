# example: an extra token table named vte is looked up per layer but added to the residual stream x, never to the attention values; NOT value embeddings.
import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True, bias=False)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.ReLU(), nn.Linear(4 * dim, dim))

    def forward(self, x, mask):
        h = F.rms_norm(x, (x.size(-1),))
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=6, heads=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * n_layer)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(n_layer))

    def forward(self, idx):
        T = idx.size(1)
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool, device=idx.device), 1)
        x = self.wte(idx)
        extra = self.vte(idx).chunk(len(self.blocks), dim=-1)
        for blk, e in zip(self.blocks, extra):
            x = blk(x + e, mask)
        return x
