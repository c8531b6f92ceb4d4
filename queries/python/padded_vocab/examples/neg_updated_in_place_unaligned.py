# example: the vocabulary size is updated in place too, but by three tokens (V = 50257; V += 3), giving 50260, which is no multiple of 64; NOT present.
import torch
from torch import nn

V = 50257; V += 3


class GPT(nn.Module):
    def __init__(self, vocab, width=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        return self.lm_head(self.wte(idx))


model = GPT(V)
