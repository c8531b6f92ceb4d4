# example: settings as class attributes; the run class is passed as a class object annotated `type[Defaults]`, but it only changes the rate, so eps stays at the default 1e-8; NOT present.
import torch
import torch.nn as nn


class Defaults:
    lr = 0.008
    betas = (0.8, 0.95)
    eps = 1e-8


class ThisRun(Defaults):
    lr = 0.006


def make_optimizer(net: nn.Module, hp: type[Defaults]) -> torch.optim.Optimizer:
    return torch.optim.Adam(net.parameters(), lr=hp.lr, betas=hp.betas, eps=hp.eps, fused=True)


net = nn.Linear(64, 64)
hp = ThisRun
optimizer = make_optimizer(net, hp)
