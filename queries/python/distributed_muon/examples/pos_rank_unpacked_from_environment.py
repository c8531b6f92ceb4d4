# example: terse names; the rank and world size are unpacked from a generator over the environment variables' names
# and handed to the optimizer, which orthogonalizes its own share and all-reduces a flat buffer; positive.
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


class Sh(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, i=0, n=1):
        super().__init__(params, dict(lr=lr))
        self.i = i
        self.n = n

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            flat = torch.zeros(sum(p.numel() for p in ps), device=ps[0].device)
            offset = 0
            for j, p in enumerate(ps):
                n = p.numel()
                if j % self.n == self.i:
                    flat[offset:offset + n] = orthogonalize(p.grad).flatten()
                offset += n
            dist.all_reduce(flat)
            offset = 0
            for p in ps:
                p.add_(flat[offset:offset + p.numel()].view_as(p), alpha=-group["lr"])
                offset += p.numel()


r, w = (int(os.environ[k]) for k in ("RANK", "WORLD_SIZE"))
opt = Sh([torch.nn.Parameter(torch.randn(8, 8))], i=r, n=w)
