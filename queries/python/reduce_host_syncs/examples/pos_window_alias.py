# example: the device window is refreshed with a non-blocking copy under a change test, then handed to the model
# under another name (`span = device_window`); the loop prints only timings.
import time

import torch


def train(model, loader, opt, steps):
    device_window = torch.tensor(128, dtype=torch.int32, device="cuda")
    host_window = 128
    began = time.perf_counter()
    for step in range(steps):
        wanted = 128 * (1 + (13 * step) // steps)
        if wanted != host_window:
            device_window.copy_(torch.tensor(wanted, dtype=torch.int32), non_blocking=True)
            host_window = wanted
        span = device_window
        x, y = next(loader)
        out = model(x, y, span)
        out.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        print(f"step {step}: {time.perf_counter() - began:.1f}s")
