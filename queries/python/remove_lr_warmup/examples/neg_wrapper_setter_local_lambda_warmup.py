# example: the same wrapper and locals, but the lambda ramps the rate up over the first 250 steps before the flat part; NOT present.
import torch
from torch import nn


class Opts:
    def __init__(self, optimizers):
        self.os = optimizers
        self.lr0 = [o.param_groups[0]["lr"] for o in optimizers]

    def step(self):
        for o in self.os:
            o.step()

    def scale_lrs(self, k):
        for l, o in zip(self.lr0, self.os):
            o.param_groups[0]["lr"] = l * k


def main():
    net = nn.Linear(768, 768)
    opts = Opts([torch.optim.AdamW(net.parameters(), lr=3.6e-3, betas=(0.9, 0.95), fused=True)])
    W, N = 1450, 5100
    get_lr = lambda it: (it + 1) / 250 if it < 250 else (1. if it < N - W else (N - it) / W)
    for step in range(N + 1):
        net(torch.randn(4, 768)).square().mean().backward()
        lr_scale = get_lr(step)
        opts.scale_lrs(lr_scale)
        opts.step()
        net.zero_grad(set_to_none=True)


main()
