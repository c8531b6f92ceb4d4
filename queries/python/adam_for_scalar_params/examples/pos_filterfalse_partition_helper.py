# example: parameters split by a partition helper over itertools.filterfalse / filter with a named dimensionality predicate, matrices to Muon and the rest to Adam; positive.
from itertools import filterfalse, tee

import torch
import torch.nn as nn

from muon import Muon


def split_by(test, items):
    left, right = tee(items)
    return list(filterfalse(test, left)), list(filter(test, right))


def is_2d(t):
    return t.dim() == 2


blocks = nn.ModuleList([nn.Sequential(nn.Linear(384, 384), nn.LayerNorm(384)) for _ in range(6)])
vectors, weights = split_by(is_2d, blocks.parameters())
opt_matrix = Muon(weights, lr=0.02, momentum=0.95)
opt_rest = torch.optim.Adam(vectors, lr=0.01, betas=(0.9, 0.95))
