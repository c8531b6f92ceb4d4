# example: the older distributed Muon: each rank fills its slice of a flat zero buffer and a blocking all_reduce(SUM) shares the updates; NOT async all_gather.
import os

import torch
import torch.distributed as dist


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95, zeropower=None):
        self.zeropower = zeropower
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def step(self):
        world, rank = int(os.environ["WORLD_SIZE"]), int(os.environ["RANK"])
        for group in self.param_groups:
            total = sum(p.numel() for p in group["params"])
            flat = torch.zeros(total, device="cuda", dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(group["params"]):
                if i % world == rank:
                    buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    flat[offset:offset + p.numel()] = self.zeropower(p.grad.add(buf, alpha=group["momentum"])).flatten()
                offset += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in group["params"]:
                p.data.add_(flat[offset:offset + p.numel()].view_as(p).type_as(p), alpha=-group["lr"])
                offset += p.numel()
