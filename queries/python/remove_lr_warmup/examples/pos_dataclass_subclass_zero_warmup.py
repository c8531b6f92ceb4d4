# example: the base dataclass keeps warmup_iters = 250, a subclass of it sets warmup_iters = 0 and the script builds the subclass, so the ramp branch of get_lr never runs; positive (the subclass's field hides the base's).
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
    learning_rate: float = 0.0036
    warmup_iters: int = 0


args = RunSettings()
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
