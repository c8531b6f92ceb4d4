# example: a partition helper keeps filter(pred, ps) for Muon and filter(lambda p: not pred(p), ps) for Adam, with pred a lambda testing p.ndim == 2: matrices to Muon, the rest to Adam; positive.
import torch
import torch.nn as nn

from muon import Muon


def split_by(pred, params):
    params = list(params)
    return list(filter(pred, params)), list(filter(lambda p: not pred(p), params))


is_matrix = lambda p: p.ndim == 2
blocks = nn.ModuleList([nn.Sequential(nn.Linear(384, 384), nn.LayerNorm(384)) for _ in range(6)])
grid_params, small_params = split_by(is_matrix, blocks.parameters())
opt_matrix = Muon(grid_params, lr=0.02, momentum=0.95)
opt_rest = torch.optim.Adam(small_params, lr=0.02, betas=(0.9, 0.95))
