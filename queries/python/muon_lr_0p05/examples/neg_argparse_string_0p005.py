# example: the Muon rate is an argparse string converted with float(), but it spells 5e-3 (0.005, a tenth of the target), and 0.05 only appears as an unrelated string; negative.
import argparse

import torch
from torch import nn
from muon import Muon

parser = argparse.ArgumentParser()
parser.add_argument("--matrix_lr", type=str, default="5e-3")
parser.add_argument("--dropout_note", type=str, default="5e-2")
cli, _ = parser.parse_known_args()

net = nn.Sequential(nn.Embedding(50304, 512), *[nn.Linear(512, 512, bias=False) for _ in range(6)])
matrices = [p for p in net[1:].parameters() if p.ndim == 2]
muon_opt = Muon(matrices, **{"lr": float(cli.matrix_lr), "momentum": 0.95})
embed_opt = torch.optim.Adam(net[0].parameters(), lr=0.6, betas=(0.8, 0.95))
