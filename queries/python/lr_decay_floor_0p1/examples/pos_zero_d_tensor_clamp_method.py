# example: the cooldown fraction is a 0-d tensor clamped by method (`torch.as_tensor(...).clamp(min=0, max=1).item()`) and the multiplier falls linearly from 1 to 0.1; a tensor spelling of the 0.1 floor, positive.
import torch

TOTAL, TAIL = 3000, 1200
model = torch.nn.Linear(128, 128)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def lr_mult(it):
    done = torch.as_tensor((it - (TOTAL - TAIL)) / TAIL).clamp(min=0.0, max=1.0).item()
    return 0.1 + 0.9 * (1.0 - done)


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_mult)
for it in range(TOTAL):
    model(torch.randn(4, 128)).square().mean().backward()
    opt.step()
    opt.zero_grad()
    sched.step()
