# example: each size group owns one (world_size, size) bf16 buffer with per-rank row views, and Muon gathers into it with dist.all_gather_into_tensor(async_op=True); present.
import torch
import torch.distributed as dist


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95, rank=0, world_size=1, zeropower=None):
        self.rank, self.world_size, self.zeropower = rank, world_size, zeropower
        params = [*params]
        groups = []
        for numel in {p.numel() for p in params}:
            slab = torch.empty(world_size, numel, dtype=torch.bfloat16, device="cuda")
            groups.append(dict(params=[p for p in params if p.numel() == numel],
                               slab=slab, rows=[slab[r] for r in range(world_size)]))
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            slab, rows, params = group["slab"], group["rows"], group["params"]
            waiting = None

            def finish():
                if waiting is None:
                    return
                work, owners = waiting
                work.wait()
                for owner, row in zip(owners, rows):
                    owner.add_(row.view_as(owner), alpha=-group["lr"])

            for first in range(0, len(params), self.world_size):
                idx = first + self.rank
                if idx < len(params):
                    p = params[idx]
                    m = self.state[p].setdefault("mom", torch.zeros_like(p.grad))
                    m.lerp_(p.grad, 1 - group["momentum"])
                    local = self.zeropower(p.grad.lerp_(m, group["momentum"])).flatten()
                else:
                    local = rows[self.rank]  # idle rank re-sends its own row
                finish()
                work = dist.all_gather_into_tensor(slab, local, async_op=True)
                waiting = (work, params[first:first + self.world_size])
            finish()
