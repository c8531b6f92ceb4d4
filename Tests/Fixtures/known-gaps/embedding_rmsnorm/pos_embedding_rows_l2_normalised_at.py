# gap: Embedding rows L2-normalised at every forward (F.normalize on the table) and then indexed; equal to normalising each looked-up vector (L2 instead of RMS scale) - debatable spelling; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class NormalizedGPT(nn.Module):
    def __init__(self, vocab=50304, d=512, n_layer=8):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n_layer))

    def forward(self, idx):
        table = F.normalize(self.wte.weight, dim=-1)
        x = table[idx]
        for layer in self.layers:
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
        return x


m = NormalizedGPT()
