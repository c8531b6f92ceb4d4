# example: near miss - the loop writes each group's zipped base rate times an inline cosine multiplier of the step (0.5 * (1 + cos(pi * step / steps))): no flat part and no linear fall; negative.
import math

import torch

net = torch.nn.Linear(32, 32)
opts = [torch.optim.Adam([net.weight], lr=0.008), torch.optim.Adam([net.bias], lr=0.04)]
bases = [[g["lr"] for g in o.param_groups] for o in opts]
steps, cooldown = 2000, 0.4
for step in range(steps + 1):
    net(torch.randn(4, 32)).square().mean().backward()
    mult = 0.5 * (1 + math.cos(math.pi * step / steps))
    for o, base in zip(opts, bases):
        for g, b in zip(o.param_groups, base):
            g["lr"] = b * mult
        o.step()
        o.zero_grad(set_to_none=True)
