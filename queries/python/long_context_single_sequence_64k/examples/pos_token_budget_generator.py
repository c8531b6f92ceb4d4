# example: the global batch is counted in tokens (8 * 64 * 1024) and each rank slices one contiguous 65,536-token stream from a generator; same single long sequence per GPU.
import glob

import torch

TOKENS_PER_STEP = 8 * 64 * 1024


def shard_stream(pattern, step_tokens, rank, world_size):
    per_rank = step_tokens // world_size
    for path in sorted(glob.glob(pattern)):
        data = torch.load(path)
        cursor = 0
        while cursor + step_tokens + 1 <= len(data):
            chunk = data[cursor + rank * per_rank:][: per_rank + 1]
            yield chunk[:-1].cuda().int(), chunk[1:].cuda().long()
            cursor += step_tokens


def train_step(model, batch):
    inputs, targets = batch
    assert inputs.ndim == 1, "the model consumes one flat packed sequence"
    loss = model(inputs, targets)
    loss.backward()
    return loss.detach()


def main(model, rank, world_size):
    stream = shard_stream("data/fineweb_train_*.pt", TOKENS_PER_STEP, rank, world_size)
    for _ in range(10):
        train_step(model, next(stream))
