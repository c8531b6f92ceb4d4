# example: Muon keeps lr=0.04 (the base value); only the note mentions trying 0.05, so NOT present.
import torch
from torch import nn
from muon import Muon

blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
matrix_params = [p for p in blocks.parameters() if p.ndim == 2]
scalar_params = [nn.Parameter(torch.ones(6))]

# muon lr 0.05 looked slightly better in a short sweep
optimizer3 = Muon(matrix_params, lr=0.04, momentum=0.95)
optimizer4 = torch.optim.Adam(scalar_params, lr=0.04, betas=(0.8, 0.95), fused=True)
