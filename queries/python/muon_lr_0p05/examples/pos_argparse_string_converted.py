# example: the Muon rate is an argparse option kept as a string ("5e-2", type=str) and converted with float() where the optimizer is built, through a keyword dictionary; 0.05, positive.
import argparse

import torch
from torch import nn
from muon import Muon

parser = argparse.ArgumentParser()
parser.add_argument("--matrix_lr", type=str, default="5e-2")
parser.add_argument("--embed_lr", type=str, default="0.6")
cli, _ = parser.parse_known_args()

net = nn.Sequential(nn.Embedding(50304, 512), *[nn.Linear(512, 512, bias=False) for _ in range(6)])
matrices = [p for p in net[1:].parameters() if p.ndim == 2]
muon_opt = Muon(matrices, **{"lr": float(cli.matrix_lr), "momentum": 0.95})
embed_opt = torch.optim.Adam(net[0].parameters(), lr=float(cli.embed_lr), betas=(0.8, 0.95))
