# example: the optimizer builds a plan object per group whose constructor lists the indices this rank owns (i % world == rank); only those are orthogonalized, written into a flat buffer, and one all_reduce shares them.
import torch
import torch.distributed as dist


def orthogonalize(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        a = x @ x.T
        x = 3.4445 * x - 4.7750 * a @ x + 2.0315 * a @ a @ x
    return x


class Plan:
    def __init__(self, params, rank, world):
        sizes = [p.numel() for p in params]
        self.flat = torch.empty(sum(sizes), dtype=torch.bfloat16)
        self.views = [v.view_as(p) for v, p in zip(self.flat.split(sizes), params)]
        self.mine = [i for i in range(len(params)) if i % world == rank]


class ShardedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, rank=0, world=1):
        super().__init__(params, dict(lr=lr))
        self.rank, self.world = rank, world
        self.plans = {}

    @torch.no_grad()
    def step(self):
        for k, group in enumerate(self.param_groups):
            plan = self.plans.get(k) or Plan(group["params"], self.rank, self.world)
            self.plans[k] = plan
            plan.flat.zero_()
            for i in plan.mine:
                plan.views[i].copy_(orthogonalize(group["params"][i].grad))
            dist.all_reduce(plan.flat)
            for p, u in zip(group["params"], plan.views):
                p.add_(u, alpha=-group["lr"])
