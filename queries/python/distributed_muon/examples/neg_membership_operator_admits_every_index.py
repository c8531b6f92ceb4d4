# example: the same step and unary `+flat` exchange (__pos__ all_reduces), but the Shard class's __contains__ admits every index (idx >= 0), so every rank orthogonalizes every matrix; negative.
import torch
import torch.distributed as dist


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Shard:
    def __init__(self, rank, world):
        self.rank, self.world = rank, world

    def __contains__(self, idx):
        return idx >= 0


class FlatSum:
    def __init__(self, numel):
        self.data = torch.zeros(numel, device="cuda", dtype=torch.bfloat16)

    def __pos__(self):
        dist.all_reduce(self.data, op=dist.ReduceOp.SUM)
        return self.data


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world=1):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.mine = Shard(rank, world)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            flat = FlatSum(sum(p.numel() for p in params))
            offset = 0
            for i, p in enumerate(params):
                n = p.numel()
                offset += n
                if i not in self.mine:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                flat.data[offset - n:offset] = newton_schulz(p.grad.add(buf, alpha=group["momentum"])).flatten()
            summed = +flat
            offset = 0
            for p in params:
                p.add_(summed[offset:offset + p.numel()].view_as(p).type_as(p), alpha=-group["lr"])
                offset += p.numel()


opt = Muon([torch.nn.Parameter(torch.randn(8, 8))], rank=dist.get_rank(), world=dist.get_world_size())
