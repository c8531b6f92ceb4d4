# example: near miss - a hook method returns the normalized token lookup, but it is only printed as a statistic; the stream is the raw lookup; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def normed_embed(self, idx):
        e = self.wte(idx)
        return F.rms_norm(e, (e.size(-1),))

    def forward(self, idx):
        print(self.normed_embed(idx).std())
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(x)
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))


model = GPT()
