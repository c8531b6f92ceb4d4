# example: near miss - three branches (warmup, cosine decay, constant min_lr after lr_decay_iters) and an unused warmdown_iters setting; negative (the constant phase is the floor, not the peak).
import math
import torch

max_lr = 6e-4
min_lr = 6e-5
warmup_iters = 700
lr_decay_iters = 18000
max_iters = 19073
warmdown_iters = 2000  # left over from an earlier experiment, never read

model = torch.nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=max_lr, betas=(0.9, 0.95), weight_decay=0.1)


def get_lr(it):
    if it < warmup_iters:
        return max_lr * (it + 1) / warmup_iters
    if it > lr_decay_iters:
        return min_lr
    ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))
    return min_lr + coeff * (max_lr - min_lr)


for it in range(max_iters):
    model(torch.randn(2, 768)).sum().backward()
    for group in optimizer.param_groups:
        group["lr"] = get_lr(it)
    optimizer.step()
    optimizer.zero_grad()
