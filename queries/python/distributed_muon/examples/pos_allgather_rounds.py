# example: parameters processed in rounds of world_size; in each round rank r orthogonalizes params[base + r] and dist.all_gather collects the round's updates for everyone; positive (all_gather spelling).
import torch
import torch.distributed as dist


def orth(G):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class RoundRobinMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95, rank=0, world_size=1):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank, self.world_size = rank, world_size

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]  # same shape within a group
            for base in range(0, len(ps), self.world_size):
                gathered = [torch.empty_like(ps[0], dtype=torch.bfloat16) for _ in range(self.world_size)]
                mine = torch.zeros_like(ps[0], dtype=torch.bfloat16)
                if base + self.rank < len(ps):
                    p = ps[base + self.rank]
                    buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                    buf.lerp_(p.grad, 1 - group["momentum"])
                    mine = orth(p.grad.lerp(buf, group["momentum"]))
                dist.all_gather(gathered, mine)
                for j, upd in enumerate(gathered):
                    if base + j < len(ps):
                        ps[base + j].add_(upd.type_as(ps[base + j]), alpha=-group["lr"])
