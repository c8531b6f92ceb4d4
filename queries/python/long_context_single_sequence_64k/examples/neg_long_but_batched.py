# example: each device reads 64*1024 tokens per step but reshapes them into 4 rows of 16,384 tokens; a batch of shorter sequences, NOT one 64K sequence (near miss on the token count).
from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class Args:
    device_batch_size: int = 4
    sequence_length: int = 16 * 1024


class Loader:
    def __init__(self, tokens, B, T):
        self.tokens, self.B, self.T, self.pos = tokens, B, T, 0

    def next_batch(self):
        B, T = self.B, self.T
        buf = torch.from_numpy(self.tokens[self.pos:self.pos + B * T + 1].astype(np.int64))
        self.pos += B * T
        return buf[:-1].view(B, T).cuda(), buf[1:].view(B, T).cuda()


args = Args()
loader = Loader(np.zeros(1 << 22, dtype=np.uint16), args.device_batch_size, args.sequence_length)
