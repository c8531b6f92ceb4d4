# example: the same rule table read by list index, but the Muon record keeps record 10's 0.02 (partial doubling); the index picks that record, not the first record's "lr"; negative.
import torch
import torch.nn as nn

RULES = [
    {"name": "embed", "hp": {"lr": 0.6}},
    {"name": "head", "hp": {"lr": 0.008}},
    {"name": "matrices", "hp": {"lr": 0.02}},
    {"name": "scalars", "hp": {"lr": 0.04}},
]

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
h = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

optimizer1 = torch.optim.Adam([wte.weight], lr=RULES[0]["hp"]["lr"], betas=(0.9, 0.95), fused=True)
optimizer2 = torch.optim.Adam([lm_head.weight], lr=RULES[1]["hp"]["lr"], betas=(0.9, 0.95), fused=True)
optimizer3 = torch.optim.Muon([p for p in h.parameters() if p.ndim == 2], lr=RULES[2]["hp"]["lr"], momentum=0.95)
optimizer4 = torch.optim.Adam([lambdas], lr=RULES[3]["hp"]["lr"], betas=(0.9, 0.95), fused=True)
optimizers = [optimizer1, optimizer2, optimizer3, optimizer4]
