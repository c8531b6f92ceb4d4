# example: the same floor wrapper, but get_lr = with_floor(get_lr, 0.1) is rebound only after the LambdaLR scheduler was built with the original multiplier, which decays to 0; NOT present.
import functools

import torch

num_iterations = 3000
cooldown_frac = 0.4


def get_lr(it):
    t = 1 - it / num_iterations
    return 1.0 if t >= cooldown_frac else t / cooldown_frac


def with_floor(schedule, floor=0.1):
    @functools.wraps(schedule)
    def floored(it):
        w = schedule(it)
        return w * 1.0 + (1 - w) * floor
    return floored


model = torch.nn.Linear(768, 768)
optimizer = torch.optim.Adam(model.parameters(), lr=0.008)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, get_lr)
get_lr = with_floor(get_lr, 0.1)
print(get_lr(num_iterations))
for step in range(num_iterations):
    model(torch.randn(8, 768)).square().mean().backward()
    optimizer.step()
    scheduler.step()
