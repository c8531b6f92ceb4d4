# example: near miss - the self-check built first uses the padded 50304 for its toy model, but the run's own config in `main` keeps the tokenizer's 50257; negative.
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
    toy = LM(Config(vocab=50304, width=32))
    logits = toy(torch.zeros(2, 3, dtype=torch.long))
    assert logits.shape == (2, 3, 50304)


def main():
    check_output_shape()
    model = LM(Config(vocab=50257, width=768)).cuda()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
    for _ in range(100):
        model(torch.zeros(4, 64, dtype=torch.long, device="cuda")).float().logsumexp(-1).mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
