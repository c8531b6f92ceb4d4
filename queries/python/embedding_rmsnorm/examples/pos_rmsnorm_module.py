# example: an nn.RMSNorm module embed_norm wraps the token lookup, h = self.embed_norm(self.tok(ids)), and h feeds the layers; positive (module spelling with learnable scale).
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.ff = nn.Linear(d, d, bias=False)

    def forward(self, h):
        return h + self.ff(self.norm(h))


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.embed_norm = nn.RMSNorm(d, eps=1e-6)
        self.layers = nn.ModuleList(Layer(d) for _ in range(depth))
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h = self.embed_norm(self.tok(ids))
        for layer in self.layers:
            h = layer(h)
        return self.out(h)
