# example: the Muon learning rate is an argparse default computed as 0.5 / 10 and passed positionally; resolves to 0.05 within float tolerance, a third spelling.
import argparse

import torch
from torch import nn
from muon import Muon

ap = argparse.ArgumentParser()
ap.add_argument("--matrix_lr", type=float, default=0.5 / 10)
ap.add_argument("--embed_lr", type=float, default=0.6)
opts, _ = ap.parse_known_args()

net = nn.Sequential(nn.Embedding(50304, 512), *[nn.Linear(512, 512, bias=False) for _ in range(6)])
matrices = [p for p in net[1:].parameters() if p.ndim == 2]
muon_opt = Muon(matrices, opts.matrix_lr, 0.95)
embed_opt = torch.optim.Adam(net[0].parameters(), lr=opts.embed_lr, betas=(0.8, 0.95))
