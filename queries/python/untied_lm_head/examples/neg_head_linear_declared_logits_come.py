# example: a head Linear is declared but logits come from einsum with the token embedding table (tied); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.head = nn.Linear(d, vocab, bias=False)  # kept for checkpoint compatibility, unused

    def forward(self, idx):
        h = self.tok(idx)
        for layer in self.layers:
            h = h + F.gelu(layer(h))
        return torch.einsum("btd,vd->btv", F.rms_norm(h, (h.size(-1),)), self.tok.weight)


model = GPT()
