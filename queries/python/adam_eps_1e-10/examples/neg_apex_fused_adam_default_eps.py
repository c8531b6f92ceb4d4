# example: apex's FusedAdam keeps its default epsilon (1e-8); 1e-10 only appears in a norm. NOT adam_eps_1e-10 (near miss).
import torch
import torch.nn as nn
from apex.optimizers import FusedAdam

model = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), head=nn.Linear(768, 50304, bias=False)))
opt = FusedAdam(model.parameters(), lr=0.008, betas=(0.8, 0.95), weight_decay=0.0)


def rms(x):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-10)
