# example: the window is refreshed with fill_ only when it changes, the micro-step loop reads nothing back, and the step loop around it logs only times, the loss read every 100 steps; positive.
import time

import torch

MAX_STEPS, ACCUM = 1480, 4


def fit(model, stream, optimizers):
    current = 128
    window = torch.full((), current, dtype=torch.int32, device="cuda")
    t0 = time.perf_counter()
    for it in range(MAX_STEPS):
        wanted = 128 * int((128 + 1664 * it / MAX_STEPS) // 128)
        if wanted != current:
            window.fill_(wanted)
            current = wanted
        for micro in range(ACCUM):
            x, y = stream.next_batch()
            loss = model(x, y, window)
            (loss / ACCUM).backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
        if it % 100 == 0:
            print(f"step {it + 1}/{MAX_STEPS} loss {loss.item():.4f}")
        print(f"step {it + 1}/{MAX_STEPS} {time.perf_counter() - t0:.0f}s")
