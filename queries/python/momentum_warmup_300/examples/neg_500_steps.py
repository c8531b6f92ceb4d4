# example: the Muon momentum warmup still spans 500 steps (frac = min(step/500, 1)); NOT the 300-step warmup.
from torch import nn
from muon import Muon

model = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)])
optimizer3 = Muon(list(model.parameters()), lr=0.04, momentum=0.95)


def after_backward(step):
    frac = min(step / 500, 1)
    optimizer3.param_groups[0]["momentum"] = (1 - frac) * 0.85 + frac * 0.95
    optimizer3.step()
    model.zero_grad(set_to_none=True)
