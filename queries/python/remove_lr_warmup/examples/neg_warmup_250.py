# example: record-3 configuration with warmup_iters = 250 feeding the ramp branch of get_lr; negative (warmup still present).
import torch

learning_rate = 0.0018
warmup_iters = 250
warmdown_iters = 2000
num_iterations = 7000

head = torch.nn.Linear(768, 50257, bias=False)
optimizer = torch.optim.AdamW(head.parameters(), lr=learning_rate, betas=(0.9, 0.95), weight_decay=0)


def get_lr(it):
    if it < warmup_iters:
        return (it + 1) / warmup_iters
    elif it < num_iterations - warmdown_iters:
        return 1.0
    return (num_iterations - it) / warmdown_iters


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, get_lr)
for it in range(num_iterations):
    head(torch.randn(1, 768)).sum().backward()
    optimizer.step()
    scheduler.step()
