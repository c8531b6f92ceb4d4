# example: step() launches one async all_gather_into_tensor per round and keeps the handles; a separate finish() method waits on them and applies the updates after all rounds were orthogonalized; overlap split across methods.
import torch
import torch.distributed as dist


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class ShardedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95, rank=0, world=1):
        self.rank, self.world = rank, world
        self.pending = []
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            for start in range(0, len(params), self.world):
                p = params[start + self.rank]
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - group["momentum"])
                local = orthogonalize(buf).flatten()
                out = local.new_empty(self.world * local.numel())
                work = dist.all_gather_into_tensor(out, local, async_op=True)
                self.pending.append((work, out, params[start:start + self.world], group["lr"]))
        self.finish()

    def finish(self):
        for work, out, owners, lr in self.pending:
            work.wait()
            for p, upd in zip(owners, out.view(len(owners), -1)):
                p.add_(upd.view_as(p), alpha=-lr)
        self.pending.clear()
