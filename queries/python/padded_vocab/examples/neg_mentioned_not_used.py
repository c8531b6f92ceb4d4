# example: near miss - 50304 appears in a comment and an unused PADDED_VOCAB constant, and 50257 + 3 is used (not 64-aligned); negative.
import torch.nn as nn

PADDED_VOCAB = 50304  # would be nicer for matmul tiles, see below
GPT2_VOCAB = 50257
EXTRA_SPECIAL_TOKENS = 3


class LM(nn.Module):
    # note: the head could be padded to 50304 (multiple of 128) but we keep exact sizes
    def __init__(self, dim=768):
        super().__init__()
        vocab = GPT2_VOCAB + EXTRA_SPECIAL_TOKENS
        self.embedding = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        return self.head(self.embedding(idx))


model = LM()
