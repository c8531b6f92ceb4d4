# example: trapezoid get_lr keeps its warmup branch but warmup_iters is 0 in the dataclass, so the first step already runs at the peak; positive.
from dataclasses import dataclass
import torch


@dataclass
class Hyperparameters:
    num_iterations: int = 6200
    learning_rate: float = 0.0036
    warmup_iters: int = 0
    warmdown_iters: int = 1800


args = Hyperparameters()
head = torch.nn.Linear(768, 50257, bias=False)
optimizer1 = torch.optim.AdamW(head.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=0)


def get_lr(it):
    assert it <= args.num_iterations
    if it < args.warmup_iters:
        return (it + 1) / args.warmup_iters
    elif it < args.num_iterations - args.warmdown_iters:
        return 1.0
    else:
        return (args.num_iterations - it) / args.warmdown_iters


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer1, get_lr)
for step in range(args.num_iterations):
    head(torch.randn(1, 768)).sum().backward()
    optimizer1.step()
    scheduler.step()
    optimizer1.zero_grad(set_to_none=True)
