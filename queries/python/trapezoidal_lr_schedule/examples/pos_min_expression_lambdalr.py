# example: the whole trapezoid as one min() of a warmup ramp, 1.0 and a cooldown ramp, fed to LambdaLR for two optimizers; positive (same shape, compact expression).
import torch
import torch.nn as nn

TOTAL_STEPS = 5100
WARM = 250
COOL = 1450

net = nn.Sequential(nn.Linear(512, 2048), nn.ReLU(), nn.Linear(2048, 512))
opt_a = torch.optim.Adam(net[0].parameters(), lr=3.6e-3, betas=(0.9, 0.95))
opt_b = torch.optim.Adam(net[2].parameters(), lr=3.6e-4, betas=(0.9, 0.95))


def trapezoid(s: int) -> float:
    return min((s + 1) / WARM, 1.0, (TOTAL_STEPS - s) / COOL)


scheds = [torch.optim.lr_scheduler.LambdaLR(o, trapezoid) for o in (opt_a, opt_b)]

for s in range(TOTAL_STEPS):
    out = net(torch.randn(16, 512))
    out.pow(2).mean().backward()
    for o, sch in zip((opt_a, opt_b), scheds):
        o.step()
        sch.step()
    net.zero_grad(set_to_none=True)
