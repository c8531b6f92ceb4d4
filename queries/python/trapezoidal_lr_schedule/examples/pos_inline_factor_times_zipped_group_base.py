# example: the loop writes each group's own base rate (zipped with the groups) times an inline multiplier of the step, min((1 - step / steps) / cooldown, 1.0): flat at the peak, then a linear fall to zero over the last 40% of the run; positive.
import math

import torch

net = torch.nn.Linear(32, 32)
opts = [torch.optim.Adam([net.weight], lr=0.008), torch.optim.Adam([net.bias], lr=0.04)]
bases = [[g["lr"] for g in o.param_groups] for o in opts]
steps, cooldown = 2000, 0.4
for step in range(steps + 1):
    net(torch.randn(4, 32)).square().mean().backward()
    mult = min((1 - step / steps) / cooldown, 1.0)
    for o, base in zip(opts, bases):
        for g, b in zip(o.param_groups, base):
            g["lr"] = b * mult
        o.step()
        o.zero_grad(set_to_none=True)
