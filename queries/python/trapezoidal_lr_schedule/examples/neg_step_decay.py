# example: near miss - warmup then a constant peak, followed by step decay (x0.1 at two milestones) via a LambdaLR function; negative (the decay is stepwise, not a linear ramp).
import torch

STEPS = 6000
WARMUP = 200


def multiplier(step):
    if step < WARMUP:
        return (step + 1) / WARMUP
    if step < 4000:
        return 1.0
    if step < 5000:
        return 0.1
    return 0.01


model = torch.nn.Linear(512, 512)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.LambdaLR(opt, multiplier)
for step in range(STEPS):
    model(torch.randn(4, 512)).sum().backward()
    opt.step()
    sched.step()
    opt.zero_grad()
