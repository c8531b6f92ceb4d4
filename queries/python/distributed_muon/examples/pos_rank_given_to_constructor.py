# example: the optimizer is told its shard by constructor arguments (shard_id=rank); each rank orthogonalizes its own share and an all_reduce of a flat buffer shares the updates; positive.
import os
import torch
import torch.distributed as dist


def orthogonalize(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x


class ShardedOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, shard_id=0, num_shards=1):
        super().__init__(params, dict(lr=lr))
        self.shard_id = shard_id
        self.num_shards = num_shards

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            flat = torch.zeros(sum(p.numel() for p in ps), device=ps[0].device)
            offset = 0
            for j, p in enumerate(ps):
                n = p.numel()
                if j % self.num_shards == self.shard_id:
                    flat[offset:offset + n] = orthogonalize(p.grad).flatten()
                offset += n
            dist.all_reduce(flat)
            offset = 0
            for p in ps:
                p.add_(flat[offset:offset + p.numel()].view_as(p), alpha=-group["lr"])
                offset += p.numel()


my_rank = int(os.environ["RANK"])
opt = ShardedOrtho([torch.nn.Parameter(torch.randn(8, 8))], shard_id=my_rank, num_shards=int(os.environ["WORLD_SIZE"]))
