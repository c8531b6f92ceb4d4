# example: the vocabulary size is rounded up in place by an augmented assignment (V = 50257; V += -V % 128, Python's modulo of a negative number being positive), giving 50304 for the embedding and the head; present.
import torch
from torch import nn

V = 50257; V += -V % 2**7


class GPT(nn.Module):
    def __init__(self, vocab, width=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        return self.lm_head(self.wte(idx))


model = GPT(V)
