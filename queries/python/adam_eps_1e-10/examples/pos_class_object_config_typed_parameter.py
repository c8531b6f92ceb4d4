# example: settings as class attributes; the run's class itself (no instance) is passed to a builder whose parameter is annotated `type[Defaults]`, and the run class lowers eps; positive.
import torch
import torch.nn as nn


class Defaults:
    lr = 0.008
    betas = (0.8, 0.95)
    eps = 1e-8


class ThisRun(Defaults):
    eps = 1e-10


def make_optimizer(net: nn.Module, hp: type[Defaults]) -> torch.optim.Optimizer:
    return torch.optim.Adam(net.parameters(), lr=hp.lr, betas=hp.betas, eps=hp.eps, fused=True)


net = nn.Linear(64, 64)
hp = ThisRun
optimizer = make_optimizer(net, hp)
