# example: Vocabulary rounded up with a bit trick ((v + 127) & ~127) from argparse defaults; used for the tied table and the head; positive.
import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--tokenizer-vocab", type=int, default=50257)
parser.add_argument("--d-model", type=int, default=768)
parser.add_argument("--depth", type=int, default=12)
cli = parser.parse_args()

ALIGN = 128
table_rows = (cli.tokenizer_vocab + ALIGN - 1) & ~(ALIGN - 1)


class Decoder(nn.Module):
    def __init__(self, rows: int, width: int, depth: int):
        super().__init__()
        self.table = nn.Parameter(torch.randn(rows, width) * 0.02)
        self.mixers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))

    def forward(self, tokens, targets):
        h = F.embedding(tokens, self.table)
        for mix in self.mixers:
            h = h + F.gelu(mix(F.layer_norm(h, h.shape[-1:])))
        logits = torch.einsum("btd,vd->btv", h, self.table)
        return F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())


net = Decoder(table_rows, cli.d_model, cli.depth)
