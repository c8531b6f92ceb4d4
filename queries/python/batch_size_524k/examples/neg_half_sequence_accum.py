# example: near miss - 64 sequences per device as in the reference, but of 512 tokens with no accumulation; the loader advances 64*512*8 = 262,144 tokens per step; negative.
import os
import torch

DEVICE_BATCH = 64
SEQ = 512
world = int(os.environ["WORLD_SIZE"])


class Loader:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def next_batch(self):
        span = DEVICE_BATCH * SEQ
        buf = self.tokens[self.pos: self.pos + span + 1]
        self.pos += span * world
        return buf[:-1].view(DEVICE_BATCH, SEQ), buf[1:].view(DEVICE_BATCH, SEQ)


def train(model, loader, opt, steps=9000):
    for _ in range(steps):
        x, y = loader.next_batch()
        model(x, y).backward()
        opt.step()
        opt.zero_grad()
