# example: the same partition helper, but its results are unpacked the other way round, so Muon receives the vectors and Adam the matrices; negative.
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
weights, vectors = split_by(is_2d, blocks.parameters())
opt_matrix = Muon(weights, lr=0.02, momentum=0.95)
opt_rest = torch.optim.Adam(vectors, lr=0.01, betas=(0.9, 0.95))
