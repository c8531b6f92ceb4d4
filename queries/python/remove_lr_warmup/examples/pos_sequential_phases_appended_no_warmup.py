# example: a SequentialLR whose phases and milestones are appended to lists that start empty; the warmup phase is appended only when WARMUP > 0 and WARMUP is 0, so the run holds its peak and then falls; positive.
import torch
from torch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR

WARMUP, STEPS, COOL = 0, 3000, 1000

model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.0)


def build_scheduler(opt):
    phases, milestones = [], []
    if WARMUP > 0:
        phases.append(LinearLR(opt, start_factor=0.01, end_factor=1.0, total_iters=WARMUP))
        milestones.append(WARMUP)
    phases.append(ConstantLR(opt, factor=1.0, total_iters=STEPS - COOL - WARMUP))
    milestones.append(STEPS - COOL)
    phases.append(LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=COOL))
    return SequentialLR(opt, phases, milestones=milestones)


sched = build_scheduler(opt)
for step in range(STEPS):
    model(torch.randn(8, 64)).square().mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
