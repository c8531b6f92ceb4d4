# example: the LR multiplier is a (step_fraction, value) breakpoint table read by a generic piecewise-linear function that walks consecutive pairs with zip(table, table[1:]); warmup, a plateau, then a linear decay to zero over the last 2000 steps; positive.
import torch

RUN = {"steps": 6000, "warmup": 200, "cooldown": 2000, "peak": 0.0018}


def knots(r):
    n = r["steps"]
    return [(0.0, 0.0), (r["warmup"] / n, 1.0), ((n - r["cooldown"]) / n, 1.0), (1.0, 0.0)]


CURVES = {"lr": knots(RUN)}


def interp(table, x):
    if x <= table[0][0]:
        return table[0][1]
    for (x0, y0), (x1, y1) in zip(table, table[1:]):
        if x <= x1:
            return y1 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return table[-1][1]


model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=RUN["peak"])
for step in range(RUN["steps"]):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    for group in opt.param_groups:
        group["lr"] = RUN["peak"] * interp(CURVES["lr"], step / RUN["steps"])
    opt.step()
    opt.zero_grad(set_to_none=True)
