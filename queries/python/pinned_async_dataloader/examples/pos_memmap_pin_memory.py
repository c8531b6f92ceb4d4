# example: a numpy memmap slice is turned into a tensor, page-locked with .pin_memory() and copied with .cuda(non_blocking=True); the same pinned asynchronous copy, other calls.
import numpy as np
import torch


def token_batches(path: str, seq_len: int, rank: int, world: int):
    data = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
    step = seq_len * world
    pos = rank * seq_len
    while pos + step + 1 < len(data):
        host = torch.from_numpy(data[pos:pos + seq_len + 1].astype(np.int64)).pin_memory()
        dev = host.cuda(non_blocking=True)
        yield dev[:-1], dev[1:]
        pos += step


def train(model, opt, path):
    for inputs, targets in token_batches(path, 65536, 0, 8):
        model(inputs, targets).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
