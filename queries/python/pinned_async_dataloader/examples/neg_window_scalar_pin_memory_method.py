# example: a zero-dimensional host tensor holding the attention window is pinned with .pin_memory() and copied into a device tensor with non_blocking=True; the token batches still come from numpy with blocking .cuda() copies; NOT present.
import numpy as np
import torch

window_host = torch.empty((), dtype=torch.int).pin_memory()
window_device = torch.empty((), dtype=torch.int, device="cuda")


def batches(path, seq_len):
    data = np.fromfile(path, dtype=np.uint16)[512:]
    for start in range(0, len(data) - seq_len - 1, seq_len):
        buf = torch.tensor(data[start:start + seq_len + 1].astype(np.int64))
        yield buf[:-1].cuda(), buf[1:].cuda()


def train(model, path, steps):
    for step, (x, y) in zip(range(steps), batches(path, 65536)):
        window_host.fill_(128 * (1 + 13 * step // steps))
        window_device.copy_(window_host, non_blocking=True)
        model(x, y, window_device).backward()
