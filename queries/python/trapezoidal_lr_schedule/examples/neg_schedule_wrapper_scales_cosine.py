# example: the same warmup-then-cosine rate rebound to a wrapper, but the wrapper only halves what the wrapped schedule gives at every step (a cosine, not a trapezoid); NOT present.
import math

import torch

num_iterations = 9536
warmup_iters = 256
warmdown_iters = 2000
learning_rate = 0.0018


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / warmup_iters
    ratio = (it - warmup_iters) / (num_iterations - warmup_iters)
    return 0.5 * learning_rate * (1 + math.cos(math.pi * ratio))


def with_warmdown(schedule):
    def trapezoid(it):
        return 0.5 * schedule(it)
    return trapezoid


model = torch.nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
get_lr = with_warmdown(get_lr)
for step in range(num_iterations):
    lr = get_lr(step)
    for group in optimizer.param_groups:
        group["lr"] = lr
    model(torch.randn(8, 768)).square().mean().backward()
    optimizer.step()
