# example: only the embedding Adam uses beta1 0.8 while the head and scalar Adams keep 0.9 (the 0.8 also shows up as SGD momentum); NOT the all-Adam change.
import torch
from torch import nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
probe = nn.Linear(768, 2)

optimizer1 = torch.optim.Adam([wte.weight], lr=0.6, betas=(0.8, 0.95), fused=True)
optimizer2 = torch.optim.Adam([lm_head.weight], lr=0.008, betas=(0.9, 0.95), fused=True)
optimizer3 = torch.optim.Adam([lambdas], lr=0.04, betas=(0.9, 0.95), fused=True)
probe_opt = torch.optim.SGD(probe.parameters(), lr=0.1, momentum=0.8)
optimizers = [optimizer1, optimizer2, optimizer3]
