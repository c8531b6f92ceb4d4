# example: the per-step window table is precomputed with torch.arange, clamped at the final span and floored to 64-token multiples (`.div(64).floor().long() * 64`); the loop reads spans[it] and hands it to the model; positive.
import torch

STEPS = 1750
WARM = 1200
spans = torch.clamp(torch.arange(STEPS + 1) * (1792 - 64) / WARM + 64, max=1792).div(64).floor().long() * 64


def fit(model, loader, opt):
    for it in range(STEPS + 1):
        x, y = loader.next_batch()
        loss = model(x, y, window_tokens=int(spans[it]))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
