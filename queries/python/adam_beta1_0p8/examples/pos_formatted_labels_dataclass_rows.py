# example: positive - per-layer labels are formatted (`f"blk{i}.attn"`), a slots dataclass row type defaults its betas to (0.8, 0.95), and one optimizer runs a hand-written Adam (dividing with `torch.div`) for the rows of kind "adam" and an orthogonalized step for the others.
from dataclasses import dataclass

import torch
import torch.nn as nn

FIRST_MOMENT = 0.8


@dataclass(slots=True)
class Row:
    kind: str
    lr_mult: float = 1.0
    betas: tuple = (FIRST_MOMENT, 0.95)
    eps: float = 1e-8


SETTINGS = {
    "emb": Row("adam", lr_mult=12.0),
    "head": Row("adam", lr_mult=0.16),
    "blk": Row("muon"),
}


def orthogonalize(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.mT
        x = 3.4445 * x + (-4.7750 * s + 2.0315 * s @ s) @ x
    return x


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.head = nn.Linear(dim, vocab, bias=False)
        self.emb.weight.label = "emb"
        self.head.weight.label = "head"
        for i, layer in enumerate(self.layers):
            layer.weight.label = f"blk{i}.attn"

    def forward(self, idx):
        x = self.emb(idx)
        for layer in self.layers:
            x = x + layer(x)
        return self.head(x)


class Mixed:
    def __init__(self, model, base_lr=0.05):
        self.entries = []
        for p in model.parameters():
            key = max((k for k in SETTINGS if p.label.startswith(k)), key=len)
            row = SETTINGS[key]
            self.entries.append((p, row, base_lr * row.lr_mult, {"m": torch.zeros_like(p), "v": torch.zeros_like(p), "t": 0}))

    @torch.no_grad()
    def step(self):
        for p, row, lr, st in self.entries:
            if row.kind == "adam":
                b1, b2 = row.betas
                st["t"] += 1
                st["m"].mul_(b1).add_(p.grad, alpha=1 - b1)
                st["v"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                p.add_(torch.div(st["m"], st["v"].sqrt() + row.eps), alpha=-lr)
            else:
                st["m"].mul_(0.95).add_(p.grad)
                p.add_(orthogonalize(st["m"]), alpha=-lr)


model = Model()
opt = Mixed(model)
for step in range(3):
    model(torch.randint(0, 50304, (2, 16))).float().logsumexp(-1).mean().backward()
    opt.step()
