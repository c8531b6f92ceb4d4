# example: global gradient clipping with clip_grad_norm_ over all parameters at 1.0 (the baseline); negative (one shared norm, and only clips).
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768))
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0015, betas=(0.9, 0.95), weight_decay=0.1)
grad_clip = 1.0

for step in range(100):
    x = torch.randn(32, 768)
    loss = (model(x) - x).pow(2).mean()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    print(f"step {step} loss {loss.item():.4f} norm {norm:.3f}")
