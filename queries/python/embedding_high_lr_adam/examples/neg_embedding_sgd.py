# example: near miss - the embedding gets its own optimizer at lr 0.3, but it is SGD; only the head uses Adam (0.002); negative (the embedding is not trained by an Adam-family optimizer).
import torch
import torch.nn as nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))

opt_embed = torch.optim.SGD([wte.weight], lr=0.3, momentum=0.9)
opt_head = torch.optim.Adam([lm_head.weight], lr=0.002, betas=(0.9, 0.95))
opt_body = torch.optim.Adam(blocks.parameters(), lr=0.002, betas=(0.9, 0.95))
for step in range(3):
    x = wte(torch.randint(0, 50304, (2, 8)))
    for b in blocks:
        x = x + b(x)
    lm_head(x).float().logsumexp(-1).mean().backward()
    for o in (opt_embed, opt_head, opt_body):
        o.step()
