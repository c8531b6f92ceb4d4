# gap: (ZeRO-1-style state sharding): each rank keeps/updates the momentum buffers only for params[i] with i % world == rank and all_gathers the momenta; then EVERY rank runs Newton-Schulz on EVERY parameter. The orthogonalization work is replicated, so this is not distributed Muon; negative.
import torch
import torch.distributed as dist


def zeropower(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class ShardedStateMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank, self.world = dist.get_rank(), dist.get_world_size()

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            for base in range(0, len(ps), self.world):
                chunk = ps[base:base + self.world]
                moms = [torch.zeros_like(p) for p in chunk]
                if base + self.rank < len(ps):
                    p = ps[base + self.rank]
                    buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    moms[self.rank] = buf
                dist.all_gather(moms, moms[self.rank] if self.rank < len(chunk) else torch.zeros_like(chunk[0]))
                for p, m in zip(chunk, moms):
                    g = p.grad.add(m, alpha=group["momentum"])
                    p.add_(zeropower(g).type_as(p), alpha=-group["lr"])
