# example: WSD schedule as a single nested conditional-expression lambda handed to LambdaLR; positive.
import torch
import torch.nn as nn

hp = {"steps": 9000, "warmup": 256, "warmdown": 2000, "lr": 1.8e-3}

model = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768))
optim = torch.optim.AdamW(model.parameters(), lr=hp["lr"], betas=(0.9, 0.95), weight_decay=0.0)

sched = torch.optim.lr_scheduler.LambdaLR(
    optim,
    lambda s: (s + 1) / hp["warmup"] if s < hp["warmup"]
    else 1.0 if s < hp["steps"] - hp["warmdown"]
    else (hp["steps"] - s) / hp["warmdown"],
)

for s in range(hp["steps"]):
    loss = model(torch.randn(16, 768)).square().mean()
    loss.backward()
    optim.step()
    sched.step()
    optim.zero_grad(set_to_none=True)
