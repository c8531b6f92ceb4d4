# example: the same enumeration match, configured to the flat-then-linear member, so the trapezoid case is the one that runs; positive.
import enum
import math
import torch
import torch.nn as nn


class Decay(str, enum.Enum):
    FLAT_THEN_LINEAR = "flat"
    COSINE = "cos"


CHOSEN = "flat"
TOTAL = 6000
RAMP = 150
TAIL = 1800

net = nn.Linear(128, 128)
optim = torch.optim.AdamW(net.parameters(), lr=1.5e-3)
kind = Decay(CHOSEN)

match kind:
    case Decay.FLAT_THEN_LINEAR:
        def multiplier(it):
            if it < RAMP:
                return (it + 1) / RAMP
            return min(1.0, (TOTAL - it) / TAIL)
    case Decay.COSINE:
        def multiplier(it):
            return 0.5 * (1.0 + math.cos(math.pi * it / TOTAL))

sched = torch.optim.lr_scheduler.LambdaLR(optim, multiplier)
for _ in range(TOTAL):
    net(torch.randn(4, 128)).pow(2).mean().backward()
    optim.step()
    sched.step()
    optim.zero_grad(set_to_none=True)
