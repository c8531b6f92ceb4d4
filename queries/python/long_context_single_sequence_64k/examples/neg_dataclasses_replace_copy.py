# example: an evaluation copy of the hyperparameters is made with dataclasses.replace (eval_args = replace(args, ...)) for one 64K sequence, but the training loader reads args, which keeps 64 sequences of 1024; NOT present.
import dataclasses
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    batch_size: int = 8 * 64
    device_batch_size: int = 64
    sequence_length: int = 1024


args = Hyperparameters()
# a long-context evaluation pass uses its own copy of the settings
eval_args = dataclasses.replace(args, batch_size=8, device_batch_size=1, sequence_length=64 * 1024)


class Loader:
    def __init__(self, tokens: torch.Tensor, B: int, T: int):
        self.tokens, self.B, self.T, self.pos = tokens, B, T, 0

    def next_batch(self):
        buf = self.tokens[self.pos: self.pos + self.B * self.T + 1]
        self.pos += self.B * self.T
        return buf[:-1].view(self.B, self.T), buf[1:].view(self.B, self.T)


loader = Loader(torch.zeros(10_000_000, dtype=torch.long), args.device_batch_size, args.sequence_length)
