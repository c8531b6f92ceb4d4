# example: near miss - a per-parameter loop that divides p.grad by (norm + 1e-6), but the norm is ONE total norm over all grads; negative (global normalization, not per parameter).
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 512))
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)

for step in range(30):
    model(torch.randn(16, 512)).square().mean().backward()
    total_norm = torch.sqrt(sum(p.grad.norm() ** 2 for p in model.parameters()))
    for p in model.parameters():
        p.grad = p.grad / (total_norm + 1e-6)
    opt.step()
    opt.zero_grad()
