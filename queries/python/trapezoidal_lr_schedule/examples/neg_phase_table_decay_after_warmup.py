# example: the same table of phases, but after the 200-step warmup the second phase already falls linearly to zero over all the remaining steps: no hold at the peak, the baseline's warmup-then-decay; NOT present.
import torch

model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
TOTAL, WARM, COOL = 3000, 200, 600
PEAK = 1e-3

PHASES = [
    dict(name="warmup", steps=WARM, rate=lambda i, n: PEAK * (i + 1) / n),
    dict(name="decay", steps=TOTAL - WARM, rate=lambda i, n: PEAK * (n - i) / n),
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
