# example: each batch is wrapped with torch.as_tensor over a numpy slice, pinned with .pin_memory() and copied to the GPU with non_blocking=True; present.
import numpy as np
import torch

window_host = torch.empty((), dtype=torch.int).pin_memory()
window_device = torch.empty((), dtype=torch.int, device="cuda")


def batches(path, seq_len):
    data = np.fromfile(path, dtype=np.uint16)[512:]
    for start in range(0, len(data) - seq_len - 1, seq_len):
        chunk = data[start:start + seq_len + 1].astype(np.int64)
        buf = torch.as_tensor(chunk).pin_memory()
        yield buf[:-1].cuda(non_blocking=True), buf[1:].cuda(non_blocking=True)


def train(model, path, steps):
    for step, (x, y) in zip(range(steps), batches(path, 65536)):
        window_host.fill_(128 * (1 + 13 * step // steps))
        window_device.copy_(window_host, non_blocking=True)
        model(x, y, window_device).backward()
