# example: near miss - the logits are cast before the loss, but to bfloat16 with .to(dtype=torch.bfloat16); negative (not an fp32 upcast).
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self, vocab=50304, dim=512):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, tgt):
        logits = self.head(self.emb(idx))
        logits = logits.to(dtype=torch.bfloat16)
        return F.cross_entropy(logits.flatten(0, 1), tgt.flatten())
