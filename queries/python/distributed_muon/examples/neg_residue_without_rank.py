# example: near miss - the same flat buffer and all_reduce, but the share test is the index's residue alone (`if i % world: continue`): the rank never enters it, so every rank orthogonalizes the same matrices and the others are never computed; negative.
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
    def __init__(self, params, lr=0.02, world=1):
        super().__init__(params, dict(lr=lr))
        self.world = world

    @torch.no_grad()
    def step(self):
        world = self.world
        for group in self.param_groups:
            ps = group["params"]
            starts = [0]
            for p in ps:
                starts.append(starts[-1] + p.numel())
            flat = torch.zeros(starts[-1], device=ps[0].device, dtype=torch.bfloat16)
            for i, p in enumerate(ps):
                if (i - 1) % world:
                    continue
                flat[starts[i]:starts[i + 1]] = orthogonalize(p.grad).flatten()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            for i, p in enumerate(ps):
                p.add_(flat[starts[i]:starts[i + 1]].view_as(p).type_as(p), alpha=-group["lr"])


opt = ResidueMuon([torch.nn.Parameter(torch.randn(8, 8))], world=dist.get_world_size())
