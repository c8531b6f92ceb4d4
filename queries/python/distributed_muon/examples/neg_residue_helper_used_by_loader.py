# example: near miss - a `divisible_by(num, den)` helper tests `num % den == 0`; the data loader calls it with the index offset by the rank to pick its shards, while Muon calls it only to time an all_reduce of the momentum buffers, and every rank orthogonalizes every matrix; negative (rank residue outside the optimizer).
import os
import torch
import torch.distributed as dist


def divisible_by(num, den):
    return (num % den) == 0


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, sync_every=10):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.sync_every = sync_every
        self.steps = 0

    @torch.no_grad()
    def step(self):
        self.steps += 1
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                if divisible_by(self.steps, self.sync_every):
                    dist.all_reduce(buf, op=dist.ReduceOp.AVG)
                p.add_(newton_schulz(p.grad.add(buf, alpha=group["momentum"])).type_as(p), alpha=-group["lr"])


class Loader:
    def __init__(self, files):
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        self.files = [f for i, f in enumerate(files) if divisible_by(i - rank, world)]


opt = Muon([torch.nn.Parameter(torch.randn(8, 8))])
loader = Loader(["a.bin", "b.bin"])
