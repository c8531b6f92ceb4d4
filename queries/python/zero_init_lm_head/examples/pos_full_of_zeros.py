# example: Unembedding as a raw Parameter created with torch.full(..., 0.0), consumed with einsum; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self, vocab=50304, d=512, n_layer=8):
        super().__init__()
        self.emb = nn.Parameter(torch.randn(vocab, d))
        self.mlps = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n_layer))
        self.w_unembed = nn.Parameter(torch.full((vocab, d), 0.0))

    def forward(self, ids):
        x = F.embedding(ids, self.emb)
        for mlp in self.mlps:
            x = x + F.gelu(mlp(F.rms_norm(x, (x.size(-1),))))
        return torch.einsum("btd,vd->btv", F.rms_norm(x, (x.size(-1),)), self.w_unembed)


lm = LM()
