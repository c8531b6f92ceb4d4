# example: the training loop sets a local through an if / else chain: warmup, then a linear decay to zero that starts right after it (no plateau); negative (inline branches, no flat stage).
import torch

TOTAL = 9000
WARMUP = 250
PEAK = 1.8e-3

net = torch.nn.Linear(256, 256)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK, weight_decay=0.0)

for step in range(TOTAL + 1):
    net(torch.randn(8, 256)).pow(2).mean().backward()
    if step < WARMUP:
        lr = PEAK * (step + 1) / WARMUP
    else:
        lr = PEAK * (TOTAL - step) / (TOTAL - WARMUP)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
