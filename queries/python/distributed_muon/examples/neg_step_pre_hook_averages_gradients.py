# example: a single-device Muon with a step pre-hook that all_reduces (averages) every gradient before the step, so every rank still orthogonalizes every matrix; negative (no work is shared out by rank).
import os

import torch
import torch.distributed as dist
import torch.nn as nn


def ns5(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(ns5(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


class GradAverager:
    def __init__(self, opt, rank, world):
        self.rank, self.world = rank, world
        opt.register_step_pre_hook(self.pre)

    @torch.no_grad()
    def pre(self, opt, args, kwargs):
        for group in opt.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
                    p.grad.div_(self.world)


def main():
    dist.init_process_group("nccl")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    model = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False))
    opt = Muon(model.parameters(), lr=0.02)
    GradAverager(opt, rank, world)
    for _ in range(10):
        loss = model(torch.randn(8, 64)).square().mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
