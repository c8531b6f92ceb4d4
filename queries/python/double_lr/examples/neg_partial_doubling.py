# example: near miss - the Adam groups carry the doubled values 0.6 / 0.008 / 0.04, but Muon stays at 0.02, and a comment lists the full new set; negative (not all LRs doubled).
import torch
import torch.nn as nn

# new lrs: embed 0.6, head 0.008, muon 0.04, scalars 0.04
NEW_LRS = dict(embed=0.6, head=0.008, muon=0.04, scalar=0.04)  # not wired in yet

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
h = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

optimizer1 = torch.optim.Adam([wte.weight], lr=0.6, betas=(0.9, 0.95), fused=True)
optimizer2 = torch.optim.Adam([lm_head.weight], lr=0.008, betas=(0.9, 0.95), fused=True)
optimizer3 = torch.optim.Muon([p for p in h.parameters() if p.ndim == 2], lr=0.02, momentum=0.95)
optimizer4 = torch.optim.Adam([lambdas], lr=0.04, betas=(0.9, 0.95), fused=True)
optimizers = [optimizer1, optimizer2, optimizer3, optimizer4]
