# example: the same token-table module, and the read-out multiplies by that table's transpose: input and output share one matrix; NOT present.
import torch
import torch.nn.functional as F
from torch import nn


class TokenTable(nn.Module):
    def __init__(self, vocab, width):
        super().__init__()
        self.table = nn.Parameter(torch.randn(vocab, width) * 0.02)

    def forward(self, ids):
        return F.embedding(ids, self.table)


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.tok = TokenTable(vocab, width)

    def forward(self, ids, targets):
        x = F.rms_norm(self.tok(ids), (768,))
        logits = x @ self.tok.table.T
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = TinyLM()
