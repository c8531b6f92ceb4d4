# example: the same clamped 0-d tensor ramp, but the multiplier falls from 1 all the way to 0 (`1 - done`); no 0.1 floor, negative.
import torch

TOTAL, TAIL = 3000, 1200
model = torch.nn.Linear(128, 128)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def lr_mult(it):
    done = torch.clamp(torch.tensor((it - (TOTAL - TAIL)) / TAIL), 0.0, 1.0).item()
    return 1.0 - done


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_mult)
for it in range(TOTAL):
    model(torch.randn(4, 128)).square().mean().backward()
    opt.step()
    opt.zero_grad()
    sched.step()
