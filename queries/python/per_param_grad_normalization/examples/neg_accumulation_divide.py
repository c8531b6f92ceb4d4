# example: near miss - after gradient accumulation each p.grad is divided in a loop, but by the constant accumulation count, and per-parameter clip_grad_norm_ only caps large norms; negative.
import torch
import torch.nn as nn

accum = 4
model = nn.Linear(1024, 1024)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)

for step in range(25):
    for micro in range(accum):
        model(torch.randn(8, 1024)).pow(2).mean().backward()
    for p in model.parameters():
        p.grad /= accum
    for p in model.parameters():
        torch.nn.utils.clip_grad_norm_([p], max_norm=1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
