# example: near miss - a device window tensor is refreshed with fill_ only when its value changes, but the model is
# handed a new device tensor built from the Python int every step (a blocking host-to-device copy per step); NOT present.
import time

import torch

MAX_STEPS = 1480


def fit(model, stream, optimizers, log):
    current = 128
    window = torch.full((), current, dtype=torch.int32, device="cuda")
    x, y = stream.next_batch()
    t0 = time.perf_counter()
    for it in range(MAX_STEPS):
        wanted = 128 * int((128 + 1664 * it / MAX_STEPS) // 128)
        if wanted != current:
            window.fill_(wanted)
            current = wanted
        loss = model(x, y, torch.tensor(wanted, dtype=torch.int32, device="cuda"))
        x, y = stream.next_batch()
        loss.backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
        log(f"step:{it + 1}/{MAX_STEPS} train_time:{1000 * (time.perf_counter() - t0):.0f}ms")
