# example: a per-step span table is precomputed, but torch.full fills every entry with 1792, so the window read each step never grows; negative.
import torch

STEPS = 1750
spans = torch.full((STEPS + 1,), 1792).long()


def fit(model, loader, opt):
    for it in range(STEPS + 1):
        x, y = loader.next_batch()
        loss = model(x, y, window_tokens=int(spans[it]))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
