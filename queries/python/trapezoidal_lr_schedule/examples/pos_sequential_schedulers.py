# example: the trapezoid assembled from torch schedulers (LinearLR warmup, ConstantLR at 1.0, LinearLR down to 0 for the final stretch) joined by SequentialLR; positive.
import argparse
import torch
from torch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=7000)
p.add_argument("--warmup", type=int, default=200)
p.add_argument("--decay_steps", type=int, default=1800)
p.add_argument("--lr", type=float, default=1.8e-3)
args = p.parse_args()

model = torch.nn.Linear(1024, 1024, bias=False)
opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)

stable = args.steps - args.warmup - args.decay_steps
schedule = SequentialLR(
    opt,
    schedulers=[
        LinearLR(opt, start_factor=1e-3, end_factor=1.0, total_iters=args.warmup),
        ConstantLR(opt, factor=1.0, total_iters=stable),
        LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=args.decay_steps),
    ],
    milestones=[args.warmup, args.warmup + stable],
)

for it in range(args.steps):
    model(torch.randn(4, 1024)).sum().backward()
    opt.step()
    opt.zero_grad()
    schedule.step()
