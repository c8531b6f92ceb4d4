# example: zero head init exists behind an argparse store_true flag that defaults to off; negative.
import argparse
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--zero-head", action="store_true")
ap.add_argument("--dim", type=int, default=768)
args = ap.parse_args()


class LM(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.body = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(12))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        for l in self.body:
            x = x + torch.relu(l(x))
        return self.lm_head(x)


model = LM(dim=args.dim)
if args.zero_head:
    nn.init.zeros_(model.lm_head.weight)
