# example: AdamW is built with weight_decay=0.0, but an explicit L2 penalty l2 * sum(w^2) over the weight matrices is added to the loss every step; negative (weight decay still applied, as coupled L2).
import torch
import torch.nn as nn
import torch.nn.functional as F

L2_COEF = 1e-4

model = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.0)


def l2_penalty(module):
    return sum(p.pow(2).sum() for p in module.parameters() if p.ndim >= 2)


for step in range(500):
    x = torch.randn(64, 256)
    loss = F.mse_loss(model(x), x)
    loss = loss + 0.5 * L2_COEF * l2_penalty(model)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
