# example: x0 is mixed in only for the first layer (i == 0), where it is a no-op re-weighting of the embedding itself; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=8):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, idx):
        x0 = F.rms_norm(self.emb(idx), (512,))
        x = x0
        for i, layer in enumerate(self.layers):
            if i == 0:
                x = self.lambdas[0] * x + self.lambdas[1] * x0
            x = x + layer(F.rms_norm(x, (512,)))
        return x
