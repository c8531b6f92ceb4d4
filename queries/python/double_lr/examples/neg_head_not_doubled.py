# example: near miss - embedding 0.6, Muon 0.04 and scalars 0.04 are doubled but the head stays at 0.003 (below 2x of 0.002); negative.
import torch
import torch.nn as nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
h = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
params = list(h.parameters())

optimizer1 = torch.optim.Adam([wte.weight], lr=0.6, betas=(0.9, 0.95), fused=True)
optimizer2 = torch.optim.Adam([lm_head.weight], lr=0.003, betas=(0.9, 0.95), fused=True)
optimizer3 = torch.optim.Muon([p for p in params if p.ndim == 2], lr=0.04, momentum=0.95)
optimizer4 = torch.optim.Adam([p for p in params if p.ndim < 2], lr=0.04, betas=(0.9, 0.95), fused=True)
