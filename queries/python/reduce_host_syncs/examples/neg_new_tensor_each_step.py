# example: no loss.item() in the loop, but a new device tensor is created from a Python int every step for the window, a blocking host-to-device copy per step; NOT the reduced-sync loop.
import torch


def train(model, loader, optimizers, steps):
    for step in range(steps):
        frac = step / steps
        window = torch.tensor(int(((1 - frac) * 128 + frac * 1792) // 128), dtype=torch.int32, device="cuda")
        x, y = loader.next_batch()
        model(x, y, window).backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
