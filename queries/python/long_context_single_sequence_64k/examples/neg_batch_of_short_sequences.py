# example: the loader still reshapes each device's tokens into 64 rows of 1024 (B=64, T=1024); same token count but NOT a single long sequence.
from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class Hyperparameters:
    batch_size: int = 8 * 64
    device_batch_size: int = 64
    sequence_length: int = 1024


class DistributedDataLoader:
    def __init__(self, tokens, B, T, rank, world):
        self.tokens, self.B, self.T = tokens, B, T
        self.rank, self.world = rank, world
        self.pos = rank * B * T

    def next_batch(self):
        B, T = self.B, self.T
        buf = torch.tensor(self.tokens[self.pos:self.pos + B * T + 1].astype(np.int32), dtype=torch.long)
        x = buf[:-1].view(B, T)
        y = buf[1:].view(B, T)
        self.pos += B * T * self.world
        return x.cuda(), y.cuda()


args = Hyperparameters()
loader = DistributedDataLoader(np.zeros(1 << 24, dtype=np.uint16), args.device_batch_size, args.sequence_length, 0, 8)
