# example: one AdamW at 0.0036 over the tied embedding/head (record 7 state); negative (no separate high-LR embedding optimizer).
import torch
import torch.nn as nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
wte.weight = lm_head.weight
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))

optimizer1 = torch.optim.AdamW(lm_head.parameters(), lr=0.0036, betas=(0.9, 0.95), weight_decay=0, fused=True)
optimizer2 = torch.optim.SGD(blocks.parameters(), lr=0.00036, momentum=0.95)
optimizers = [optimizer1, optimizer2]

for step in range(3):
    x = wte(torch.randint(0, 50304, (2, 8)))
    for b in blocks:
        x = x + b(x)
    lm_head(x).logsumexp(-1).mean().backward()
    for o in optimizers:
        o.step()
