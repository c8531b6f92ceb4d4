# example: the window size is computed into a plain int each step (nw = 64 * int(...)) and copied with W.copy_(torch.tensor(nw, dtype=torch.int32).pin_memory(), non_blocking=True); the token batches still come from numpy with blocking .cuda() copies; NOT present.
import numpy as np
import torch


def batches(path, seq_len):
    data = np.fromfile(path, dtype=np.uint16)[512:]
    for start in range(0, len(data) - seq_len - 1, seq_len):
        buf = torch.tensor(data[start:start + seq_len + 1].astype(np.int64))
        yield buf[:-1].cuda(), buf[1:].cuda()


def train(model, path, steps):
    W = torch.tensor(64, dtype=torch.int32, device="cuda")
    for step, (x, y) in zip(range(steps), batches(path, 65536)):
        nw = 64 * int((64 + (1792 - 64) * step / steps) // 64)
        W.copy_(torch.tensor(nw, dtype=torch.int32).pin_memory(), non_blocking=True)
        model(x, y, W).backward()
