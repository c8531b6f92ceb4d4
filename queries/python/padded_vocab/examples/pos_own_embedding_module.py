# example: the token table is a module of the file (F.embedding over its own parameter) built with 50304 rows, and the head has 50304 outputs; present.
import torch
import torch.nn.functional as F
from torch import nn

VOCAB = 50304


class TokenTable(nn.Module):
    def __init__(self, rows, width):
        super().__init__()
        self.table = nn.Parameter(torch.randn(rows, width) * 0.02)

    def forward(self, ids):
        return F.embedding(ids, self.table)


class TinyLM(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.tok = TokenTable(VOCAB, width)
        self.head = nn.Linear(width, VOCAB, bias=False)

    def forward(self, ids):
        return self.head(F.rms_norm(self.tok(ids), (768,)))


model = TinyLM()
