# example: near miss - the embedding TABLE is RMS-normalized once at init and an embedding-norm statistic is logged, but the lookup result goes into the blocks unnormalized; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        with torch.no_grad():
            self.emb.weight.copy_(F.rms_norm(self.emb.weight, (d,)))
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.stats = {}

    def forward(self, idx):
        x = self.emb(idx)
        self.stats["emb_rms"] = F.rms_norm(x, (x.size(-1),)).detach().abs().mean()
        for blk in self.blocks:
            x = x + blk(F.rms_norm(x, (x.size(-1),)))
        return x
