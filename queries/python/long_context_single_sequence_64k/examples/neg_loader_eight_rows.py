# example: the same loader with 8 sequences of 8,192 tokens per device (64K tokens, but in short rows); negative.

import numpy as np
import torch


class Loader:
    def __init__(self, tokens, B, T):
        self.tokens, self.B, self.T, self.pos = tokens, B, T, 0

    def next_batch(self):
        B, T = self.B, self.T
        buf = torch.as_tensor(self.tokens[self.pos:self.pos + B * T + 1].astype(np.int64))
        self.pos += B * T
        return buf[:-1].view(B, T), buf[1:].view(B, T)


device_batch_size = 8
sequence_length = 8 * 1024
loader = Loader(np.zeros(10_000_000, dtype=np.uint16), device_batch_size, sequence_length)
x, y = loader.next_batch()
