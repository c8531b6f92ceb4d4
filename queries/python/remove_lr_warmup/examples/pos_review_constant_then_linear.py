# example: SequentialLR of ConstantLR(factor=1.0) for the stable phase and LinearLR(1.0 -> 0.0) for the cooldown; no warmup phase, starts at the peak; positive.
import torch
from torch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR

TOTAL = 5000
COOLDOWN = 1500

model = torch.nn.Sequential(torch.nn.Linear(256, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 256))
optimizer = torch.optim.AdamW(model.parameters(), lr=3.6e-3, betas=(0.9, 0.95), weight_decay=0.0)
stable = ConstantLR(optimizer, factor=1.0, total_iters=TOTAL - COOLDOWN)
cooldown = LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=COOLDOWN)
scheduler = SequentialLR(optimizer, schedulers=[stable, cooldown], milestones=[TOTAL - COOLDOWN])

for step in range(TOTAL):
    x = torch.randn(16, 256)
    loss = (model(x) - x).pow(2).mean()
    loss.backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
