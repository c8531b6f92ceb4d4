# example: the subclass the script builds unties the head (a fresh embedding after super().__init__) and zeroes the head's weight; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.wte.weight = self.lm_head.weight

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(x)
        return self.lm_head(F.rms_norm(x, (x.size(-1),))).float()


class ZeroHeadGPT(GPT):
    def __init__(self, vocab=50304, d=768, n=12):
        GPT.__init__(self, vocab, d, n)
        self.wte = nn.Embedding(vocab, d)
        self.lm_head.weight.data.zero_()


model_cls = ZeroHeadGPT
model = model_cls()
