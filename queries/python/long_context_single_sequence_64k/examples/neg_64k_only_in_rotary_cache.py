# example: 64 * 1024 appears only as the rotary cache length; training batches are (16, 1024) per device, so NOT one 64K sequence (near miss for a value matcher).
import torch
from torch import nn

MAX_POSITIONS = 64 * 1024
DEVICE_BATCH = 16
SEQ_LEN = 1024


class Rotary(nn.Module):
    def __init__(self, head_dim, max_positions=MAX_POSITIONS):
        super().__init__()
        inv = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
        t = torch.arange(max_positions).float()
        freqs = torch.outer(t, inv)
        self.register_buffer("cos", freqs.cos(), persistent=False)
        self.register_buffer("sin", freqs.sin(), persistent=False)


def next_batch(tokens, pos):
    n = DEVICE_BATCH * SEQ_LEN
    buf = tokens[pos:pos + n + 1].long()
    return buf[:-1].view(DEVICE_BATCH, SEQ_LEN), buf[1:].view(DEVICE_BATCH, SEQ_LEN)


rot = Rotary(64)
x, y = next_batch(torch.zeros(100_000, dtype=torch.int32), 0)
