# example: schedules filed by a decorator and made by a builder call whose keys come from a nested configuration; the configured schedule holds then decays linearly to a floor of 0.1 of the peak; positive.
import torch

PARTS = {}

def part(kind, name):
    def keep(fn):
        PARTS.setdefault(kind, {})[name] = fn
        return fn
    return keep

def make(kind, name, **options):
    return PARTS[kind][name](**options)

SETUP = {"sched": {"shape": "hold_fall", "steps": 3000, "fall": 0.4, "floor": 0.1}}

@part("sched", "hold_fall")
def hold_then_fall_to_a_floor(steps, fall, floor, **_):
    def factor(it):
        left = 1 - it / steps
        w = min(left / fall, 1.0)
        return w + (1 - w) * floor
    return factor

@part("sched", "hold_zero")
def hold_then_fall_to_zero(steps, fall, **_):
    return lambda it: min((1 - it / steps) / fall, 1.0)

S = SETUP["sched"]
model = torch.nn.Linear(8, 8)
opt = torch.optim.Adam(model.parameters(), lr=0.008)
sched = torch.optim.lr_scheduler.LambdaLR(opt, make("sched", S["shape"], **S))
for step in range(S["steps"]):
    model(torch.randn(4, 8)).sum().backward()
    opt.step()
    sched.step()
