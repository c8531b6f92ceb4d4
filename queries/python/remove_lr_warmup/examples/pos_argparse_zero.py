# example: argparse --warmup_steps defaults to 0, so the guarded warmup branch of the LambdaLR multiplier never runs and step 0 is at the peak; positive (warmup length resolved to 0).
import argparse
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--warmup_steps", type=int, default=0)
ap.add_argument("--total_steps", type=int, default=5100)
ap.add_argument("--warmdown_steps", type=int, default=1450)
ap.add_argument("--lr", type=float, default=3.6e-3)
args = ap.parse_args()

net = torch.nn.Linear(768, 768, bias=False)
opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.0)


def multiplier(s):
    if args.warmup_steps > 0 and s < args.warmup_steps:
        return (s + 1) / args.warmup_steps
    return min(1.0, (args.total_steps - s) / args.warmdown_steps)


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=multiplier)
for s in range(args.total_steps):
    net(torch.randn(2, 768)).pow(2).mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad()
