# example: near miss - no weight_decay keyword anywhere, but the optimizer is AdamW, whose default weight_decay is 0.01; negative (decay still applied).
import torch
import torch.nn as nn

model = nn.Sequential(nn.Embedding(50257, 768), nn.Linear(768, 50257, bias=False))
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018, betas=(0.9, 0.95))

for step in range(10):
    ids = torch.randint(0, 50257, (2, 64))
    logits = model(ids)
    loss = nn.functional.cross_entropy(logits.view(-1, 50257), ids.view(-1))
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
