# example: a builder returns a nested schedule that captures its horizon; the loop writes
# base * lr_factor(step) into every group: warmup, flat, linear warmdown; positive.
import torch


def build_scheduler(warmup, warmdown, max_steps):
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        if step < max_steps - warmdown:
            return 1.0
        return (max_steps - step) / warmdown
    return factor


model = torch.nn.Linear(32, 32)
opt = torch.optim.AdamW(model.parameters(), lr=6e-4)
for g in opt.param_groups:
    g["initial_lr"] = g["lr"]
lr_factor = build_scheduler(100, 600, 4000)
for step in range(4000):
    for g in opt.param_groups:
        g["lr"] = g["initial_lr"] * lr_factor(step)
    model(torch.randn(4, 32)).pow(2).mean().backward()
    opt.step()
    opt.zero_grad()
