# example: near miss - RunSettings sets warmup_iters = 0 but the script builds LongRun, a subclass of RunSettings that sets warmup_iters = 250 again, so the nearest field is 250 and the ramp still runs; negative.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    learning_rate: float = 0.0018
    warmup_iters: int = 250
    warmdown_iters: int = 2000
    num_iterations: int = 7000


@dataclass
class RunSettings(Hyperparameters):
    warmup_iters: int = 0


@dataclass
class LongRun(RunSettings):
    warmup_iters: int = 250
    num_iterations: int = 9000


args = LongRun()
head = torch.nn.Linear(768, 50257, bias=False)
optimizer = torch.optim.AdamW(head.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=0)


def get_lr(it):
    if it < args.warmup_iters:
        return (it + 1) / args.warmup_iters
    elif it < args.num_iterations - args.warmdown_iters:
        return 1.0
    return (args.num_iterations - it) / args.warmdown_iters


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, get_lr)
for it in range(args.num_iterations):
    head(torch.randn(1, 768)).sum().backward()
    optimizer.step()
    scheduler.step()
