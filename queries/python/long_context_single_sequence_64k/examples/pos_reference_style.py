# example: hyperparameters give one sequence of 64*1024 tokens per device and the loader returns flat 1-D token streams that the model lifts to batch 1; present.
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass
class Hyperparameters:
    batch_size: int = 8  # sequences across all devices
    device_batch_size: int = 1  # one packed sequence per GPU
    sequence_length: int = 64 * 1024
    num_iterations: int = 1875


class FlatLoader:
    def __init__(self, tokens: np.ndarray, T: int, rank: int, world: int):
        self.tokens, self.T, self.rank, self.world = tokens, T, rank, world
        self.pos = rank * T

    def next_batch(self):
        buf = torch.from_numpy(self.tokens[self.pos:self.pos + self.T + 1].astype(np.int64))
        self.pos += self.T * self.world
        x, y = buf[:-1], buf[1:]  # 1-D: no (B, T) view
        return x.cuda(), y.cuda()


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, target):
        x = self.wte(idx[None])  # (1, T, dim)
        logits = self.head(x).float()
        return nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), target.view(-1))


args = Hyperparameters()
loader = FlatLoader(np.zeros(10_000_000, dtype=np.uint16), args.sequence_length, 0, 8)
