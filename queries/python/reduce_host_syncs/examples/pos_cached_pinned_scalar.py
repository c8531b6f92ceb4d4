# example: an lru_cache returns a pinned tensor moved with cuda(non_blocking=True), so a new window only costs an async copy, and training logs print times, not loss values; same idea, other mechanism.
from functools import lru_cache
import time

import torch


@lru_cache(1)
def window_blocks_tensor(window_tokens: int) -> torch.Tensor:
    return torch.tensor(window_tokens // 128, dtype=torch.int32, pin_memory=True).cuda(non_blocking=True)


def fit(model, batches, optimizers, train_steps, log):
    start = time.perf_counter()
    for step in range(train_steps):
        window_tokens = 128 * max(1, round(14 * step / train_steps))
        inputs, targets = next(batches)
        model(inputs, targets, window_blocks_tensor(window_tokens)).backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
        log(f"step {step + 1}/{train_steps} elapsed {time.perf_counter() - start:.1f}s")
