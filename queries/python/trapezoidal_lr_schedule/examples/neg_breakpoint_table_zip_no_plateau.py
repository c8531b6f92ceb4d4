# example: the same breakpoint table and zip-walking piecewise function, but the table decays linearly right after warmup (no plateau at the peak); negative.
import torch

RUN = {"steps": 6000, "warmup": 200, "cooldown": 2000, "peak": 0.0018}


def knots(r):
    n = r["steps"]
    return [(0.0, 0.0), (r["warmup"] / n, 1.0), (1.0, 0.0)]


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
