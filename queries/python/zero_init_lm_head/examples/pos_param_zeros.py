# example: the unembedding is a raw nn.Parameter created with torch.zeros and used as x @ W.T for the logits; positive (zero at creation).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Decoder(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.unembed = nn.Parameter(torch.zeros(vocab, d))

    def forward(self, ids, targets):
        h = self.embed(ids)
        for blk in self.blocks:
            h = h + blk(F.rms_norm(h, (h.size(-1),)))
        logits = F.rms_norm(h, (h.size(-1),)) @ self.unembed.T
        return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten())
