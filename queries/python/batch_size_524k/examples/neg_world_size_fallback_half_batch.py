# example: the same loader and fallback, with 32 rows of 1024 per rank (262,144 tokens a step on 8 processes); negative.
import os
import numpy as np
import torch
import torch.distributed as dist

ddp = "LOCAL_RANK" in os.environ
world = dist.get_world_size() if ddp else 1
rank = dist.get_rank() if ddp else 0

def batches(tokens, B=32, T=1024):
    pos = rank * B * T
    while pos + B * T + 1 <= len(tokens):
        buf = torch.from_numpy(tokens[pos : pos + B * T + 1].astype(np.int64))
        yield buf[:-1].view(B, T), buf[1:].view(B, T)
        pos += B * T * world

def train(model, opt, tokens, steps):
    it = batches(tokens)
    for _ in range(steps):
        x, y = next(it)
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
