# example: training runs as a table of phases, each row a dict with its step count and a lambda of (step within the phase, phase length) giving the rate: a 200-step warmup, a hold at the peak, then a linear fall to zero over the last 600 steps; positive.
import torch

model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
TOTAL, WARM, COOL = 3000, 200, 600
PEAK = 1e-3

PHASES = [
    dict(name="warmup", steps=WARM, rate=lambda i, n: PEAK * (i + 1) / n),
    dict(name="hold", steps=TOTAL - WARM - COOL, rate=lambda i, n: PEAK),
    dict(name="cool", steps=COOL, rate=lambda i, n: PEAK * (n - i) / n),
]


def train_step():
    model(torch.randn(8, 64)).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)


step = 0
for phase in PHASES:
    n = phase["steps"]
    for i in range(n):
        lr = phase["rate"](i, n)
        for g in opt.param_groups:
            g["lr"] = lr
        train_step()
        step += 1
