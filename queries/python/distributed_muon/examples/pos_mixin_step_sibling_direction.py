# example: a sharding mixin's step owns parameters i % world_size == rank and all_reduces a flat buffer, calling self.direction that a sibling base (OrthogonalDirection) of the optimizer class provides through the MRO; positive.
import torch
import torch.distributed as dist


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class OrthogonalDirection:
    def direction(self, p, group):
        buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
        buf.mul_(group["momentum"]).add_(p.grad)
        return newton_schulz(p.grad.add(buf, alpha=group["momentum"]))


class ShardedStep:
    def __init__(self, params, *, rank=0, world_size=1, **defaults):
        self.rank, self.world_size = rank, world_size
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            flat = torch.zeros(sum(p.numel() for p in params), device="cuda", dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(params):
                if i % self.world_size == self.rank:
                    flat[offset:offset + p.numel()] = self.direction(p, group).flatten()
                offset += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in params:
                p.add_(flat[offset:offset + p.numel()].view_as(p).type_as(p), alpha=-group["lr"])
                offset += p.numel()


class Muon(ShardedStep, OrthogonalDirection, torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world_size=1):
        super().__init__(params, rank=rank, world_size=world_size, lr=lr, momentum=momentum)


opt = Muon([torch.nn.Parameter(torch.randn(8, 8))], rank=dist.get_rank(), world_size=dist.get_world_size())
