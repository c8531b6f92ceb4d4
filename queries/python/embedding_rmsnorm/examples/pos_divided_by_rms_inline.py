# example: Functional lookup with F.embedding followed by division by the root-mean-square (sqrt, not rsqrt) in the forward; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=8, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.token_table = nn.Parameter(torch.randn(vocab, d) * 0.02)
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.unembed = nn.Parameter(torch.zeros(vocab, d))

    def forward(self, ids):
        e = F.embedding(ids, self.token_table)
        h = e / torch.sqrt(e.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        for layer in self.layers:
            h = h + F.gelu(layer(F.rms_norm(h, (h.size(-1),))))
        return F.linear(F.rms_norm(h, (h.size(-1),)), self.unembed)


lm = LM()
