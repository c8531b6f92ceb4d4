# example: near miss - embedding and head have their own Adam groups, but with similar small LRs (0.003 vs 0.002); negative (no high-LR embedding).
import torch
import torch.nn as nn

emb = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
opt = torch.optim.Adam(
    [{"params": [emb.weight], "lr": 0.003}, {"params": [head.weight], "lr": 0.002}],
    betas=(0.9, 0.95),
)
for step in range(5):
    head(emb(torch.randint(0, 50304, (2, 8)))).float().logsumexp(-1).mean().backward()
    opt.step()
    opt.zero_grad()
