# example: torch.distributed.all_gather_into_tensor fills a flat (world * numel) output that is viewed as (world, numel) inside the orthogonalized optimizer's step; a third spelling.
import torch
from torch import nn


class ShardedOrthoOptimizer(torch.optim.Optimizer):
    def __init__(self, params, lr, rank, world, orth):
        self.rank, self.world, self.orth = rank, world, orth
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            for i in range(0, len(ps), self.world):
                block = ps[i:i + self.world]
                upd = self.orth(block[self.rank].grad).flatten().bfloat16()
                flat_out = upd.new_empty(self.world * upd.numel())
                torch.distributed.all_gather_into_tensor(flat_out, upd)
                rows = flat_out.view(self.world, -1)
                for p, r in zip(block, rows):
                    p.sub_(group["lr"] * r.view_as(p).type_as(p))


layers = nn.ModuleList(nn.Linear(256, 256, bias=False) for _ in range(8))
