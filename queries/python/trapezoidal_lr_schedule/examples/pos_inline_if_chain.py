# example: the training loop sets a local through an if / elif / else chain (warmup ramp, flat, linear slide to zero over the last 2000 steps) and writes it into every param group; positive (inline branches).
import torch

TOTAL = 9000
WARMUP = 250
WARMDOWN = 2000
PEAK = 1.8e-3

net = torch.nn.Linear(256, 256)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK, weight_decay=0.0)

for step in range(TOTAL + 1):
    net(torch.randn(8, 256)).pow(2).mean().backward()
    if step < WARMUP:
        lr = PEAK * (step + 1) / WARMUP
    elif step < TOTAL - WARMDOWN:
        lr = PEAK
    else:
        lr = PEAK * (TOTAL - step) / WARMDOWN
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
