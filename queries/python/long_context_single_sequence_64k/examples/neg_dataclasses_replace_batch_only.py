# example: the hyperparameters are rebuilt with dataclasses.replace(args, ...) but keep 64 sequences of 1024 tokens per GPU (only the global batch changes); NOT present.
import dataclasses
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    batch_size: int = 8 * 64
    device_batch_size: int = 64
    sequence_length: int = 1024


args = Hyperparameters()
args = dataclasses.replace(args, batch_size=8 * 64)


class Loader:
    def __init__(self, tokens: torch.Tensor, B: int, T: int):
        self.tokens, self.B, self.T, self.pos = tokens, B, T, 0

    def next_batch(self):
        buf = self.tokens[self.pos: self.pos + self.B * self.T + 1]
        self.pos += self.B * self.T
        return buf[:-1].view(self.B, self.T), buf[1:].view(self.B, self.T)


loader = Loader(torch.zeros(10_000_000, dtype=torch.long), args.device_batch_size, args.sequence_length)
