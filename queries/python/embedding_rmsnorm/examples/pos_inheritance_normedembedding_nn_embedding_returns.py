# example: Inheritance: NormedEmbedding(nn.Embedding) returns F.rms_norm(super().forward(idx)); used as the token embedding; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class NormedEmbedding(nn.Embedding):
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return F.rms_norm(super().forward(idx), (self.embedding_dim,))


class Model(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = NormedEmbedding(vocab, d)
        self.h = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for blk in self.h:
            x = x + blk(F.rms_norm(x, (x.size(-1),)))
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))


model = Model()
