# example: each rank orthogonalizes params with i % world_size == rank into a flat bf16 buffer, one all_reduce(SUM) shares it, then all ranks apply every slice; positive.
import os
import torch
import torch.distributed as dist


def ns5(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * (A @ X) + c * A @ (A @ X)
    return X.T if G.size(0) > G.size(1) else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank = int(os.environ["RANK"])
        self.world = int(os.environ["WORLD_SIZE"])

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            flat = torch.zeros(sum(p.numel() for p in params), device="cuda", dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(params):
                if i % self.world == self.rank:
                    buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = ns5(p.grad.add(buf, alpha=group["momentum"]))
                    g *= max(g.size(0), g.size(1)) ** 0.5
                    flat[offset:offset + p.numel()] = g.flatten()
                offset += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in params:
                p.add_(flat[offset:offset + p.numel()].view_as(p).type_as(p), alpha=-group["lr"])
                offset += p.numel()
