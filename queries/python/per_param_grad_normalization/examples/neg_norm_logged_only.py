# example: near miss - each gradient's norm is computed per parameter but only logged; the gradients are clipped globally before the step; negative.
import torch
import torch.nn as nn

model = nn.Linear(256, 256)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)
for step in range(5):
    model(torch.randn(4, 256)).sum().backward()
    norms = {n: p.grad.norm().item() for n, p in model.named_parameters()}
    print(norms)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad()
