# example: training step that divides each parameter's grad by its own norm plus 1e-6 right after backward; positive.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768))
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018, betas=(0.9, 0.95), weight_decay=0.1)

for step in range(100):
    x = torch.randn(32, 768)
    loss = (model(x) - x).pow(2).mean()
    loss.backward()
    for param in model.parameters():
        param.grad = param.grad / (param.grad.norm() + 1e-6)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
