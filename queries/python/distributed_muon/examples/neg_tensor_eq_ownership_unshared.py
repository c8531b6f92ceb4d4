# example: Muon with a tensor-method mask torch.arange(n).remainder(world).eq(rank) but the updates never exchanged (no collective); negative.
import torch
import torch.distributed as dist


def orthogonalize(g, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    x = g.bfloat16().div(g.norm().add(1e-7))
    for _ in range(steps):
        m = x @ x.mT
        x = a * x + (b * m + c * m @ m) @ x
    return x


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world_size=1):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.shard = rank
        self.shards = world_size

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ws = group["params"]
            flat = torch.zeros(sum(w.numel() for w in ws), dtype=torch.bfloat16, device=ws[0].device)
            slots = flat.split([w.numel() for w in ws])
            mine = torch.arange(len(ws)).remainder(self.shards).eq(self.shard).tolist()
            for w, slot, owned in zip(ws, slots, mine):
                if not owned:
                    continue
                buf = self.state[w].setdefault("buf", torch.zeros_like(w.grad))
                buf.mul_(group["momentum"]).add_(w.grad)
                slot.copy_(orthogonalize(w.grad.add(buf, alpha=group["momentum"])).flatten())
            for w, slot in zip(ws, slots):
                w.add_(slot.view_as(w).type_as(w), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(8, 8))], rank=dist.get_rank(), world_size=dist.get_world_size())
