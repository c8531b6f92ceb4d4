# example: a notebook-style loader partially applied with the step's token count (48 * 1024 per GPU) and called once per training step; positive.

from functools import partial

import torch

TOKENS_PER_STEP = 48 * 1024


def window(stream, n, step):
    start = (step * n) % (len(stream) - n - 1)
    chunk = torch.as_tensor(stream[start:start + n + 1])
    return chunk[:-1], chunk[1:]


def train(model, stream, steps):
    next_batch = partial(window, stream, TOKENS_PER_STEP)
    for step in range(steps):
        x, y = next_batch(step)
        model(x, y).backward()
