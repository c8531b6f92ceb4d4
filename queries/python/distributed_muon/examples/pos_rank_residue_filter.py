# example: each rank keeps the matrices whose index is congruent to its rank, written as a residue of the index minus the rank tested against zero in a comprehension filter (`(i - self.rank) % self.world == 0`); it orthogonalizes only those and an all_reduce of a flat buffer shares every update; positive.
import torch
import torch.distributed as dist


def orthogonalize(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x


class ResidueMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, rank=0, world=1):
        super().__init__(params, dict(lr=lr))
        self.rank = rank
        self.world = world

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            starts = [0]
            for p in ps:
                starts.append(starts[-1] + p.numel())
            flat = torch.zeros(starts[-1], device=ps[0].device, dtype=torch.bfloat16)
            mine = [i for i in range(len(ps)) if (i - self.rank) % self.world == 0]
            for i in mine:
                flat[starts[i]:starts[i + 1]] = orthogonalize(ps[i].grad).flatten()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            for i, p in enumerate(ps):
                p.add_(flat[starts[i]:starts[i + 1]].view_as(p).type_as(p), alpha=-group["lr"])


opt = ResidueMuon([torch.nn.Parameter(torch.randn(8, 8))], rank=dist.get_rank(), world=dist.get_world_size())
