# example: the multiplier is a lambda that calls another lambda where it is written, (lambda w: w + (1 - w) * .1)(cooldown fraction), so the cooldown ends at 0.1 of the peak; present.
import torch
from torch import nn

N, frac = 1395, 0.4
net = nn.Linear(768, 768)
opt = torch.optim.Adam(net.parameters(), lr=0.008)
get_lr = lambda it: (lambda w: w + (1 - w) * .1)(min((1 - it / N) / frac, 1))
sched = torch.optim.lr_scheduler.LambdaLR(opt, get_lr)
for step in range(N):
    net(torch.randn(4, 768)).square().mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
