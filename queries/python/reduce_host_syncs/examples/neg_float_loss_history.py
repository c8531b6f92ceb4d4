# example: the window tensor is refreshed with a non-blocking copy only on change, but float(loss) is appended to a history list every step, a host sync per step; NOT present.
import torch


def train(model, loader, opt, steps):
    window = torch.ones((), dtype=torch.int32, device="cuda")
    last = 1
    history = []
    for step in range(steps):
        blocks = 1 + (13 * step) // steps
        if blocks != last:
            window.copy_(blocks, non_blocking=True)
            last = blocks
        x, y = next(loader)
        loss = model(x, y, window)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        history.append(float(loss))
    return history
