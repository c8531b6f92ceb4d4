# example: an overridden forward takes the stream from an embed() hook method that returns the normalized token lookup; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(x)
        return self.lm_head(x)


class NormedGPT(GPT):
    def embed(self, idx):
        e = self.wte(idx)
        return F.rms_norm(e, (e.size(-1),))

    def forward(self, idx):
        x = self.embed(idx)
        for block in self.blocks:
            x = x + block(x)
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))


model = NormedGPT()
