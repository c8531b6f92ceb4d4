# example: Muon groups params by size with preallocated bf16 buffers, launches dist.all_gather(async_op=True) per round and applies the previous round's result while the next Newton-Schulz runs; present.
import os

import torch
import torch.distributed as dist
from newton_schulz import zeropower_via_newtonschulz5


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        self.world = int(os.environ["WORLD_SIZE"])
        self.me = int(os.environ["RANK"])
        params = list(params)
        groups = []
        for numel in sorted({p.numel() for p in params}):
            same = [p for p in params if p.numel() == numel]
            slots = [torch.empty(numel, device="cuda", dtype=torch.bfloat16) for _ in range(self.world)]
            groups.append(dict(params=same, gather_slots=slots))
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, beta = group["lr"], group["momentum"]
            slots, params = group["gather_slots"], group["params"]
            inflight = None  # (work handle, params owned by this round)

            def apply_pending():
                if inflight is None:
                    return
                work, owners = inflight
                work.wait()
                for owner, upd in zip(owners, slots):
                    owner.add_(upd.view_as(owner), alpha=-lr)

            for start in range(0, len(params), self.world):
                mine = params[start + self.me]
                st = self.state[mine]
                if "mom" not in st:
                    st["mom"] = torch.zeros_like(mine.grad)
                st["mom"].lerp_(mine.grad, 1 - beta)
                update = zeropower_via_newtonschulz5(mine.grad.lerp_(st["mom"], beta), steps=5).flatten()
                apply_pending()
                work = dist.all_gather(slots, update, async_op=True)
                inflight = (work, params[start:start + self.world])
            apply_pending()
