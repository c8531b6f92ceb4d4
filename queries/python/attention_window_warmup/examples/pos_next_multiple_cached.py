# example: the window is next_multiple_of_n(1728 * step / steps, n=128) and an lru_cache turns it into a pinned block-count tensor for the forward; a third spelling.
from functools import lru_cache

import torch


def next_multiple_of_n(v, *, n):
    return next(x for x in range(n, int(v) + 1 + n, n) if x >= v)


@lru_cache(1)
def sw_blocks(window_tokens: int):
    return torch.tensor(window_tokens // 128, dtype=torch.int32, pin_memory=True).cuda(non_blocking=True)


def fit(model, train_loader, optimizers, train_steps=1393):
    for step in range(train_steps):
        window_tokens = next_multiple_of_n(1728 * step / train_steps, n=128)
        inputs, targets = next(train_loader)
        model(inputs, targets, sw_blocks(window_tokens)).backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
