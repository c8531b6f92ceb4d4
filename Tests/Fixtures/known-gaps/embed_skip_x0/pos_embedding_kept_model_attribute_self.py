# gap: Embedding kept as a model attribute (self._x0) for the duration of forward; each block reads it through a parent back-reference; positive.
import weakref
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, parent_ref, d=768):
        super().__init__()
        self._parent = parent_ref
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.fc = nn.Linear(d, d, bias=False)

    def forward(self, x):
        x0 = self._parent()._x0
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return x + self.fc(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        ref = weakref.ref(self)
        self.blocks = nn.ModuleList(Block(ref, d) for _ in range(n))
        self._x0 = None

    def forward(self, idx):
        self._x0 = F.rms_norm(self.wte(idx), (self.wte.embedding_dim,))
        x = self._x0
        for b in self.blocks:
            x = b(x)
        self._x0 = None
        return x
