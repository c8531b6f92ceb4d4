# example: the token table is a module of the file that looks ids up with F.embedding in its own parameter; the head is a separate nn.Linear; present.
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
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, targets):
        x = F.rms_norm(self.tok(ids), (768,))
        logits = self.lm_head(x)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = TinyLM()
