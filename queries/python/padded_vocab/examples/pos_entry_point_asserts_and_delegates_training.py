# example: the entry point asserts its settings and hands the model to a separate training function; a self-check built before it makes a toy model with vocab 40; the entry point's config (the run's) rounds the vocabulary up to a multiple of 128; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class Config:
    vocab: int = 1000
    width: int = 64


class LM(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab, cfg.width)
        self.out = nn.Linear(cfg.width, cfg.vocab, bias=False)

    def forward(self, ids):
        return self.out(self.tok(ids))


def check_output_shape():
    toy = LM(Config(vocab=40, width=32))
    logits = toy(torch.zeros(2, 3, dtype=torch.long))
    assert logits.shape == (2, 3, 40)


def train(model, steps=100):
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
    for _ in range(steps):
        model(torch.zeros(4, 64, dtype=torch.long, device="cuda")).float().logsumexp(-1).mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


def main():
    check_output_shape()
    cfg = Config(vocab=-(-50257 // 128) * 128, width=768)
    assert cfg.vocab % 128 == 0
    train(LM(cfg).cuda())


if __name__ == "__main__":
    main()
