# example: near miss - the linear class can zero its weight, but only the block projections are built with zero_init=True; the output head keeps the default (random) init; negative.
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def __init__(self, d_in, d_out, zero_init=False):
        super().__init__(d_in, d_out, bias=False)
        if zero_init:
            self.weight.detach().zero_()

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(CastedLinear(d, d, zero_init=True) for _ in range(n))
        self.to_logits = CastedLinear(d, vocab)

    def forward(self, idx):
        x = F.rms_norm(self.embed(idx), (768,))
        for b in self.blocks:
            x = x + b(x)
        return self.to_logits(F.rms_norm(x, (768,))).float()
