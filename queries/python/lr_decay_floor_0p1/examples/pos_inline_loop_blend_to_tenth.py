# example: the training loop computes its multiplier itself, a hold then a straight fall over the last 40% of the run blended towards a floor of 0.1 (w + (1 - w) * floor), and writes peak * multiplier into each group; positive.
import torch

model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
TOTAL = 4000
COOL = 0.4
FLOOR = 0.1
for g in opt.param_groups:
    g["peak"] = g["lr"]

for it in range(TOTAL):
    model(torch.randn(8, 64)).pow(2).mean().backward()
    remaining = (TOTAL - it) / (COOL * TOTAL)
    w = remaining if remaining < 1.0 else 1.0
    for g in opt.param_groups:
        g["lr"] = g["peak"] * (w + (1 - w) * FLOOR)
    opt.step()
    opt.zero_grad(set_to_none=True)
