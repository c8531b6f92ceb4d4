# example: near miss - the dataclass says warmup_iters = 0, but the schedule ignores it and ramps over a hard-coded 256 steps via LinearLR(start_factor=0.01); negative.
from dataclasses import dataclass
import torch
from torch.optim.lr_scheduler import LinearLR, LambdaLR, SequentialLR


@dataclass
class Hyperparameters:
    num_iterations: int = 5100
    warmup_iters: int = 0  # "no warmup"
    warmdown_iters: int = 1450


args = Hyperparameters()
model = torch.nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0036, weight_decay=0)
ramp = LinearLR(opt, start_factor=0.01, end_factor=1.0, total_iters=256)
rest = LambdaLR(opt, lambda s: min(1.0, (args.num_iterations - 256 - s) / args.warmdown_iters))
schedule = SequentialLR(opt, [ramp, rest], milestones=[256])

for step in range(args.num_iterations):
    model(torch.randn(2, 768)).sum().backward()
    opt.step()
    schedule.step()
    opt.zero_grad()
