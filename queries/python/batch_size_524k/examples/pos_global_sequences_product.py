# example: global batch written as 8*64 sequences with 64 per device and seq len 1024, accumulation derived from them (module constants, no dataclass); positive.
import os
import torch

GLOBAL_SEQS = 8 * 64
DEVICE_SEQS = 64
SEQ_LEN = 1024
NUM_STEPS = 6200

rank = int(os.environ.get("RANK", 0))
world_size = int(os.environ.get("WORLD_SIZE", 8))
assert GLOBAL_SEQS % (DEVICE_SEQS * world_size) == 0
accumulation = GLOBAL_SEQS // (DEVICE_SEQS * world_size)


def batches(data: torch.Tensor):
    span = DEVICE_SEQS * SEQ_LEN
    pos = rank * span
    while True:
        chunk = data[pos: pos + span + 1]
        yield chunk[:-1].view(DEVICE_SEQS, SEQ_LEN), chunk[1:].view(DEVICE_SEQS, SEQ_LEN)
        pos += span * world_size


def run(model, data, optimizer):
    it = batches(data)
    for step in range(NUM_STEPS):
        for _ in range(accumulation):
            x, y = next(it)
            model(x, y).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
