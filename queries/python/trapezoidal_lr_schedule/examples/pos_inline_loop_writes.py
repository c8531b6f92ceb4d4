# example: no schedule function - the training loop computes the multiplier inline from the step (flat, then the last 30% decays linearly to zero) and writes it into every param group; positive (inline spelling).
import torch

TOTAL = 4000
DECAY_FRAC = 0.3
PEAK = 3e-3

net = torch.nn.Linear(256, 256)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK, weight_decay=0.0)

for it in range(TOTAL):
    net(torch.randn(8, 256)).pow(2).mean().backward()
    remaining = (TOTAL - it) / (DECAY_FRAC * TOTAL)
    scale = min(1.0, remaining)
    for group in opt.param_groups:
        group["lr"] = PEAK * scale
    opt.step()
    opt.zero_grad(set_to_none=True)
