# example: only a window-size scalar is pinned and moved with cuda(non_blocking=True); the token batches still come from numpy with blocking .cuda() copies, so the data loader is NOT pinned/async.
from functools import lru_cache

import numpy as np
import torch


@lru_cache(1)
def window_blocks(tokens: int):
    return torch.tensor(tokens // 128, dtype=torch.int32, pin_memory=True).cuda(non_blocking=True)


def batches(path, seq_len):
    data = np.fromfile(path, dtype=np.uint16)[512:]
    for start in range(0, len(data) - seq_len - 1, seq_len):
        buf = torch.tensor(data[start:start + seq_len + 1].astype(np.int64))
        yield buf[:-1].cuda(), buf[1:].cuda()


def train(model, path, steps):
    for step, (x, y) in zip(range(steps), batches(path, 65536)):
        model(x, y, window_blocks(128 * (1 + 13 * step // steps))).backward()
