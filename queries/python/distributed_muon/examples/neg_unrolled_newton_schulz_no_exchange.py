# example: near miss - each rank runs written-out Newton-Schulz rounds only for its own i % world_size == rank share, and nothing is communicated; negative (no collective for the updates).
import os
import torch


class HalfDoneMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        rank = int(os.environ["RANK"])
        world = int(os.environ["WORLD_SIZE"])
        for group in self.param_groups:
            for i, p in enumerate(group["params"]):
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
                p.add_(X.type_as(p), alpha=-group["lr"])
