# example: a helper reads kw.get("lr", 0.0018) from its **kw, but its only caller passes lr=6e-4, so the fallback is never used; negative.
import torch
import torch.nn as nn


def make_optimizer(model, **kw):
    lr = kw.get("lr", 0.0018)
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.1)


model = nn.Linear(768, 768)
opt = make_optimizer(model, lr=6e-4)
for _ in range(100):
    model(torch.randn(2, 768)).mean().backward()
    opt.step()
    opt.zero_grad()
