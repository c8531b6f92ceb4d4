# example: each gradient is multiplied by min(1, max_norm / (its norm + eps)), i.e. per-parameter clipping that only shrinks large gradients; negative (clipping, not normalization to unit norm).
import torch
import torch.nn as nn


@torch.no_grad()
def clip_each(params, max_norm=1.0, eps=1e-6):
    for p in params:
        if p.grad is None:
            continue
        factor = torch.clamp(max_norm / (p.grad.norm() + eps), max=1.0)
        p.grad.mul_(factor)


model = nn.Sequential(nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 10))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
for _ in range(20):
    out = model(torch.randn(32, 128))
    loss = nn.functional.cross_entropy(out, torch.randint(0, 10, (32,)))
    loss.backward()
    clip_each(model.parameters())
    opt.step()
    opt.zero_grad(set_to_none=True)
