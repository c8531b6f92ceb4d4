# example: each rank runs written-out Newton-Schulz rounds for its i % world_size == rank matrices, writes them into its slots of one flat buffer, and a single all_reduce(SUM) hands every rank every update; positive (unrolled iteration).
import os
import torch
import torch.distributed as dist


class ShardedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        rank = int(os.environ["RANK"])
        world = int(os.environ["WORLD_SIZE"])
        for group in self.param_groups:
            params = group["params"]
            flat = torch.zeros(sum(p.numel() for p in params), device=params[0].device, dtype=torch.bfloat16)
            offsets = [0]
            for p in params:
                offsets.append(offsets[-1] + p.numel())
            for i, p in enumerate(params):
                if i % world != rank:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                X = p.grad.add(buf, alpha=group["momentum"]).bfloat16()
                X = X / (X.norm() + 1e-7)
                A = X @ X.T
                X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                A = X @ X.T
                X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                A = X @ X.T
                X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                flat[offsets[i]:offsets[i + 1]] = X.flatten()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            for i, p in enumerate(params):
                p.add_(flat[offsets[i]:offsets[i + 1]].view_as(p).type_as(p), alpha=-group["lr"])
