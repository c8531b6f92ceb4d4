# example: argparse defaults --embed-lr 0.6 --head-lr 0.008 --matrix-lr 0.05 --scalar-lr 0.04 read in a build_optimizers(model, args) helper; library Muon for the matrices; positive.
import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--embed-lr", type=float, default=0.6)
parser.add_argument("--head-lr", type=float, default=0.008)
parser.add_argument("--matrix-lr", type=float, default=0.05)
parser.add_argument("--scalar-lr", type=float, default=0.04)
args = parser.parse_args()


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d) for _ in range(n_layer))
        self.output = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.tok_embeddings(idx)
        for b in self.blocks:
            x = x + torch.relu(b(x))
        return self.output(x)


def build_optimizers(model, args):
    matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
    scalars = [p for p in model.blocks.parameters() if p.ndim < 2]
    return [
        torch.optim.Adam([model.tok_embeddings.weight], lr=args.embed_lr, betas=(0.8, 0.95)),
        torch.optim.Adam([model.output.weight], lr=args.head_lr, betas=(0.8, 0.95)),
        torch.optim.Muon(matrices, lr=args.matrix_lr, momentum=0.95),
        torch.optim.Adam(scalars, lr=args.scalar_lr, betas=(0.8, 0.95)),
    ]


optimizers = build_optimizers(GPT(), args)
