# example: MuonWithAuxAdam with every parameter, scalars included, in use_muon=True groups; its Adam only gets the embedding. NOT adam_for_scalar_params (near miss).
import torch
import torch.nn as nn
from muon import MuonWithAuxAdam


class Layer(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.proj = nn.Linear(d, d, bias=False)
        self.gain = nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.gain * self.proj(x)


wte = nn.Embedding(50304, 768)
net = nn.ModuleList([Layer() for _ in range(4)])
opt = MuonWithAuxAdam([
    dict(params=list(net.parameters()), use_muon=True, lr=0.02, weight_decay=0.0),
    dict(params=list(wte.parameters()), use_muon=False, lr=0.6, betas=(0.9, 0.95), weight_decay=0.0),
])
