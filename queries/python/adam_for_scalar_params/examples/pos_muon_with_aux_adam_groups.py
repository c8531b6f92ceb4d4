# example: the muon package's MuonWithAuxAdam: matrices in a use_muon=True group, the scalar gains in a use_muon=False group that its inner Adam steps.
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


net = nn.ModuleList([Layer() for _ in range(4)])
mats = [p for p in net.parameters() if p.ndim >= 2]
gains = [p for p in net.parameters() if p.ndim < 2]
opt = MuonWithAuxAdam([
    dict(params=mats, use_muon=True, lr=0.02, weight_decay=0.0),
    dict(params=gains, use_muon=False, lr=0.02, betas=(0.9, 0.95), weight_decay=0.0),
])
