# example: a pending (work, params) pair holds an async all_gather_into_tensor; it is waited on and applied only after the next shard's orthogonalization is computed; overlap with other names.
import torch
import torch.distributed as dist


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class DistributedOrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, rank, world):
        self.rank, self.world = rank, world
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _flush(self, pending, lr):
        if pending is not None:
            work, gathered, targets = pending
            work.wait()
            for p, upd in zip(targets, gathered.unbind(0)):
                p.data.add_(upd.view_as(p), alpha=-lr)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            plist, pending = group["params"], None
            for start in range(0, len(plist), self.world):
                mine = plist[start + self.rank]
                mom = self.state[mine].setdefault("m", torch.zeros_like(mine.grad))
                mom.mul_(group["momentum"]).add_(mine.grad)
                local = orthogonalize(mom).flatten()
                gathered = local.new_empty(self.world, local.numel())
                self._flush(pending, group["lr"])
                work = dist.all_gather_into_tensor(gathered, local, async_op=True)
                pending = (work, gathered, plist[start:start + self.world])
            self._flush(pending, group["lr"])
