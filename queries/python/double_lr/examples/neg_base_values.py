# example: record-8/10 learning rates (0.3, 0.002, 0.02, 0.02) on the same four-optimizer layout; negative.
import torch
import torch.nn as nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
h = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
matrix_params = [p for p in h.parameters() if p.ndim == 2]

optimizer1 = torch.optim.Adam([wte.weight], lr=0.3, betas=(0.9, 0.95), fused=True)
optimizer2 = torch.optim.Adam([lm_head.weight], lr=0.002, betas=(0.9, 0.95), fused=True)
optimizer3 = torch.optim.Muon(matrix_params, lr=0.02, momentum=0.95)
optimizer4 = torch.optim.Adam([lambdas], lr=0.02, betas=(0.9, 0.95), fused=True)
optimizers = [optimizer1, optimizer2, optimizer3, optimizer4]
