# example: argparse --vocab default 50257 rounded up in place with ((v + 127) // 128) * 128 and used for a raw unembedding parameter; positive (integer-arithmetic padding).
import argparse
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--vocab", type=int, default=50257)
ap.add_argument("--width", type=int, default=768)
a = ap.parse_args()

padded_vocab = ((a.vocab + 127) // 128) * 128


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(padded_vocab, a.width)
        self.unembed = nn.Parameter(torch.zeros(padded_vocab, a.width))

    def forward(self, ids):
        h = self.tok(ids)
        return h @ self.unembed.T


lm = TinyLM()
print(lm(torch.randint(0, a.vocab, (1, 8))).shape)
