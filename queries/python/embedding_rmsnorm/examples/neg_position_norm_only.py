# example: near miss - the POSITION embedding is rms-normalized and added to the raw token embedding, so the residual stream is not a normalized tensor; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, ctx=1024, d=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))

    def forward(self, idx):
        pos = torch.arange(idx.size(1), device=idx.device)
        x = self.wte(idx) + F.rms_norm(self.wpe(pos), (self.wpe.embedding_dim,))
        for blk in self.blocks:
            x = x + blk(F.rms_norm(x, (x.size(-1),)))
        return x
