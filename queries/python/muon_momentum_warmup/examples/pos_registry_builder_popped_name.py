# example: the momentum ramp is a factory filed in a registry and made by a builder whose key is popped off a copy of a nested configuration entry before the rest is spread (`build("ramp", spec.pop("name"), **spec)`); it drives Muon's momentum from 0.85 to 0.95; positive.
import torch
from muon import Muon

FILED = {}

def filed(kind, name):
    def put(obj):
        FILED.setdefault(kind, {})[name] = obj
        return obj
    return put

def build(kind, name, /, **options):
    maker = FILED[kind][name]
    return maker(**options)

SETUP = {"optim": {"momentum": {"name": "linear", "start": 0.85, "end": 0.95, "steps": 300}}}

@filed("ramp", "linear")
def linear_ramp(start, end, steps, **_):
    def value_at(step):
        frac = min(step / steps, 1.0)
        return (1 - frac) * start + frac * end
    return value_at

@filed("ramp", "flat")
def flat_ramp(end, **_):
    return lambda step: end

model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.Linear(64, 64))
opt = Muon(model.parameters(), lr=0.02, momentum=0.95)
spec = dict(SETUP["optim"]["momentum"])
momentum_at = build("ramp", spec.pop("name"), **spec)
for step in range(1000):
    model(torch.randn(8, 64)).square().mean().backward()
    for group in opt.param_groups:
        group["momentum"] = momentum_at(step)
    opt.step()
    opt.zero_grad(set_to_none=True)
