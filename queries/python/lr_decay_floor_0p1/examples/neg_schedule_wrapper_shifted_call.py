# example: a wrapper warms the schedule up for 1500 steps and then runs the wrapped decay shifted by the warmup (schedule(it - warmup_steps)), so the rate ends near 0.55 of its peak, not 0.1; NOT present.
import torch

num_iterations = 3000
warmup = 1500


def get_lr(it):
    # linear decay to 0.1 of the peak
    return 1.0 - 0.9 * it / num_iterations


def with_warmup(schedule, warmup_steps):
    def warmed(it):
        if it < warmup_steps:
            return (it + 1) / warmup_steps
        return schedule(it - warmup_steps)
    return warmed


model = torch.nn.Linear(768, 768)
optimizer = torch.optim.Adam(model.parameters(), lr=0.008)
get_lr = with_warmup(get_lr, warmup)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, get_lr)
for step in range(num_iterations):
    model(torch.randn(8, 768)).square().mean().backward()
    optimizer.step()
    scheduler.step()
