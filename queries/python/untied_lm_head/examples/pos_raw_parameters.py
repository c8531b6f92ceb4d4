# example: embedding and unembedding are two raw nn.Parameter matrices; tokens index one and logits are h @ unembed.T with the other; positive (no modules, still separate weights).
import torch
import torch.nn as nn
import torch.nn.functional as F


class BareLM(nn.Module):
    def __init__(self, vocab=50304, width=512):
        super().__init__()
        self.embed = nn.Parameter(torch.randn(vocab, width) * 0.02)
        self.unembed = nn.Parameter(torch.zeros(vocab, width))
        self.mix = nn.Linear(width, width, bias=False)

    def forward(self, ids):
        h = F.embedding(ids, self.embed)
        h = h + self.mix(F.rms_norm(h, (h.size(-1),)))
        return h @ self.unembed.T


lm = BareLM()
ids = torch.randint(0, 50304, (2, 16))
loss = F.cross_entropy(lm(ids).float().flatten(0, 1), ids.flatten())
