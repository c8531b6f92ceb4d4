# example: the window tensor changes every step but shrinks from 1792 to 64 tokens as training progresses; a decreasing schedule, NOT the window warmup.
import torch

STEPS = 1750


def train(model, loader, optimizer):
    for step in range(STEPS):
        frac = step / STEPS
        window = torch.tensor(64 * int(((1 - frac) * 1792 + frac * 64) // 64), dtype=torch.int32, device="cuda")
        x, y = loader.next_batch()
        model(x, y, window).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
