# example: the same lambda cap, but applied to the hidden state before the head (cap(h) then lm_head), not to the logits; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F

cap = lambda z, c=30.0: c * torch.tanh(z / c)


class LM(nn.Module):
    def __init__(self, vocab=256, d=64):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, tgt):
        h = cap(F.rms_norm(self.wte(idx), (64,)))
        logits = self.lm_head(h).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


model = LM()
idx = torch.randint(0, 256, (2, 16))
model(idx, idx).backward()
