# example: near miss - AdamW with foreach=True (multi-tensor apply, not the fused kernel); negative.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(768, 3072), nn.ReLU(), nn.Linear(3072, 768)).cuda()
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0036, betas=(0.9, 0.95),
                              weight_decay=0, foreach=True)

for step in range(10):
    x = torch.randn(8, 768, device="cuda")
    loss = (model(x) - x).pow(2).mean()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
