# example: Expression 1 - 0.9 * ramp, with ramp clipped to [0, 1] by torch.clamp; applied through LambdaLR; positive.
import torch

N, COOL = 1770, 700


def factor(step: int) -> float:
    ramp = torch.clamp(torch.tensor((step - (N - COOL)) / COOL), 0.0, 1.0).item()
    return 1.0 - 0.9 * ramp


opt = torch.optim.Adam(torch.nn.Linear(256, 256).parameters(), lr=0.008, betas=(0.8, 0.95))
sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=factor)
for _ in range(N):
    opt.step()
    sched.step()
