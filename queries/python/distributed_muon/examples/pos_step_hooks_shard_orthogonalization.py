# example: a single-device Muon left as it is; a sharder registered with `register_step_pre_hook` / `register_step_post_hook` has each rank orthogonalize only the parameters it owns (`i % world == rank`), all_reduces the flat updates and applies them after the step; positive.
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

    def update_for(self, p, group):
        buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
        buf.mul_(group["momentum"]).add_(p.grad)
        return ns5(p.grad.add(buf, alpha=group["momentum"]))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.add_(self.update_for(p, group), alpha=-group["lr"])


class Sharder:
    def __init__(self, opt, rank, world):
        self.rank, self.world, self.flat = rank, world, {}
        opt.register_step_pre_hook(self.pre)
        opt.register_step_post_hook(self.post)

    @torch.no_grad()
    def pre(self, opt, args, kwargs):
        for gi, group in enumerate(opt.param_groups):
            flat = torch.zeros(sum(p.numel() for p in group["params"]), dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(group["params"]):
                if i % self.world == self.rank and p.grad is not None:
                    flat[offset:offset + p.numel()] = opt.update_for(p, group).flatten()
                offset += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            self.flat[gi] = flat
            for p in group["params"]:
                p.grad = None

    @torch.no_grad()
    def post(self, opt, args, kwargs):
        for gi, group in enumerate(opt.param_groups):
            flat, offset = self.flat.pop(gi), 0
            for p in group["params"]:
                p.add_(flat[offset:offset + p.numel()].view_as(p).to(p.dtype), alpha=-group["lr"])
                offset += p.numel()


def main():
    dist.init_process_group("nccl")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    model = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False))
    opt = Muon(model.parameters(), lr=0.02)
    Sharder(opt, rank, world)
    for _ in range(10):
        loss = model(torch.randn(8, 64)).square().mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
