# example: near miss: the class decorator rebinds the block's forward but only rescales its input by lambdas[0]; x0 reaches every block and is never mixed in; negative.
import functools

import torch
import torch.nn as nn
import torch.nn.functional as F


def embedding_shortcut(keep=1.0, inject=0.0):
    def decorate(cls):
        plain_init, plain_forward = cls.__init__, cls.forward

        @functools.wraps(plain_init)
        def __init__(self, *args, **kwargs):
            plain_init(self, *args, **kwargs)
            self.lambdas = nn.Parameter(torch.tensor([keep, inject]))

        @functools.wraps(plain_forward)
        def forward(self, x, x0):
            return plain_forward(self, self.lambdas[0] * x, x0)

        cls.__init__, cls.forward = __init__, forward
        return cls
    return decorate


@embedding_shortcut(keep=1.0, inject=0.0)
class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x, x0):
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n_layer))

    def forward(self, idx):
        x = F.rms_norm(self.wte(idx), (768,))
        x0 = x
        for block in self.blocks:
            x = block(x, x0)
        return x


model = GPT()
