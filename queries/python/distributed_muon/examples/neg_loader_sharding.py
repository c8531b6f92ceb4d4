# example: near miss - the data loader picks shards with rank (files[rank::world]) and gradients are all_reduced, but every rank orthogonalizes every matrix in Muon; negative (rank sharding of data, not of the NS work).
import os
import torch
import torch.distributed as dist


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(newton_schulz(p.grad.add(buf, alpha=group["momentum"])).type_as(p), alpha=-group["lr"])


class Loader:
    def __init__(self, files):
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        self.files = files[rank::world]
