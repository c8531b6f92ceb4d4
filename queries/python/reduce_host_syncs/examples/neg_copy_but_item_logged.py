# example: the window tensor is updated in place with copy_(non_blocking=True) only on change, yet every step still prints loss.item(); a per-step sync remains, so NOT present (near miss).
import torch


def train(model, loader, opt, steps):
    window = torch.tensor(64, dtype=torch.int32, device="cuda")
    prev = 64
    for step in range(steps):
        cur = 64 * int((64 + 1728 * step / steps) // 64)
        if cur != prev:
            window.copy_(cur, non_blocking=True)
            prev = cur
        x, y = loader.next_batch()
        loss = model(x, y, window)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        print(f"step {step}: loss {loss.item():.4f}")
