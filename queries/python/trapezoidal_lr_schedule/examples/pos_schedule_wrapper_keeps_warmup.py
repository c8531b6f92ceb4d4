# example: the script's warmup-then-cosine rate is rebound to a wrapper before the loop reads it, get_lr = with_warmdown(get_lr): the inner function keeps the original warmup (it calls the wrapped schedule there), then holds the peak and decays linearly to 0 over the last 2000 steps; present.
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
        if it < warmup_iters:
            return schedule(it)
        if it < num_iterations - warmdown_iters:
            return learning_rate
        return learning_rate * (num_iterations - it) / warmdown_iters
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
