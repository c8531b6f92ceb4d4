# example: Muon gathers into a Python list of per-rank tensors with dist.all_gather(list, g, async_op=True); no single contiguous buffer, so NOT present.
import torch
import torch.distributed as dist


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, rank, world_size, zeropower):
        self.rank, self.world_size, self.zeropower = rank, world_size, zeropower
        params = list(params)
        groups = [dict(params=[p for p in params if p.numel() == n],
                       update_buffer=[torch.empty(n, device="cuda", dtype=torch.bfloat16) for _ in range(world_size)])
                  for n in {p.numel() for p in params}]
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            bufs, params = group["update_buffer"], group["params"]
            for base in range(0, len(params), self.world_size):
                p = params[base + self.rank]
                g = self.zeropower(p.grad).flatten()
                dist.all_gather(bufs, g, async_op=True).wait()
                for q, u in zip(params[base:base + self.world_size], bufs):
                    q.add_(u.view_as(q), alpha=-group["lr"])
