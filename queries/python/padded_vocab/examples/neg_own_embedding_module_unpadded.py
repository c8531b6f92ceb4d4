# example: the same own token-table module built with the tokenizer's 50257 rows; NOT present.
import torch
import torch.nn.functional as F
from torch import nn

VOCAB = 50257


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
