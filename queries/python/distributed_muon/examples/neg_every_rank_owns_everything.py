# example: the same collaborators, but the ownership policy the optimizer is given overrides owns(i) to return True on every rank, so every rank orthogonalizes every matrix before the all_reduce; negative (no sharding of the work).
import itertools

import torch
import torch.distributed as dist


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Ownership:
    def __init__(self, rank, world_size):
        self.rank, self.world_size = rank, world_size

    def owner_of(self, index):
        raise NotImplementedError

    def owns(self, index):
        return self.owner_of(index) == self.rank


class RoundRobin(Ownership):
    def owner_of(self, index):
        return index % self.world_size


class EveryRank(Ownership):
    def owns(self, index):
        return True


class AllReduceExchange:
    def __init__(self, params):
        self.params = list(params)
        self.offsets = [0] + list(itertools.accumulate(p.numel() for p in self.params))
        self.flat = torch.zeros(self.offsets[-1], dtype=torch.bfloat16)

    def write(self, i, update):
        self.flat[self.offsets[i]:self.offsets[i + 1]].copy_(update.flatten())

    def read(self, i):
        return self.flat[self.offsets[i]:self.offsets[i + 1]].view_as(self.params[i])

    def synchronize(self):
        dist.all_reduce(self.flat, op=dist.ReduceOp.SUM)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, rank=0, world_size=1, ownership_cls=EveryRank, exchange_cls=AllReduceExchange):
        super().__init__(params, dict(lr=lr))
        self.ownership = ownership_cls(rank, world_size)
        self.exchanges = [exchange_cls(g["params"]) for g in self.param_groups]

    @torch.no_grad()
    def step(self):
        for group, exchange in zip(self.param_groups, self.exchanges):
            exchange.flat.zero_()
            for i, p in enumerate(group["params"]):
                if self.ownership.owns(i):
                    exchange.write(i, newton_schulz(p.grad))
            exchange.synchronize()
            for i, p in enumerate(group["params"]):
                p.add_(exchange.read(i).type_as(p), alpha=-group["lr"])


opt = Muon(torch.nn.Linear(64, 64, bias=False).parameters(), rank=dist.get_rank(), world_size=dist.get_world_size())
