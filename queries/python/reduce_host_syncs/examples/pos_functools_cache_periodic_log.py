# example: the block-count tensor comes from a functools.cache helper that pins and moves it non-blocking, and the loss is only read back every 50 steps; fewer host syncs in another spelling.
import functools

import torch


@functools.cache
def blocks_on_device(n: int) -> torch.Tensor:
    return torch.tensor(n, dtype=torch.int32, pin_memory=True).to("cuda", non_blocking=True)


def train(model, loader, opt, steps=1500):
    for step in range(steps):
        n_blocks = 1 + (13 * step) // steps
        x, y = next(loader)
        loss = model(x, y, blocks_on_device(n_blocks))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step % 50 == 0:
            print(f"step {step} loss {loss.item():.3f}")
