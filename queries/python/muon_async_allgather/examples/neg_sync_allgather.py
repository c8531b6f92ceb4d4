# example: Muon gathers each round's updates with a blocking dist.all_gather (no async_op) and applies them right away; communication is not overlapped, so NOT present.
import torch
import torch.distributed as dist


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, rank, world_size, zeropower):
        self.rank, self.world_size, self.zeropower = rank, world_size, zeropower
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            for base in range(0, len(params), self.world_size):
                p = params[base + self.rank]
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = self.zeropower(buf).flatten().bfloat16()
                gathered = [torch.empty_like(g) for _ in range(self.world_size)]
                dist.all_gather(gathered, g)
                for q, u in zip(params[base:base + self.world_size], gathered):
                    q.add_(u.view_as(q), alpha=-group["lr"])
