# example: near miss - the i % world_size == rank guard is there, but each rank only updates its own share and nothing is communicated, so replicas diverge; negative (no collective for the updates).
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
                U, _, Vh = torch.linalg.svd(p.grad.add(buf, alpha=group["momentum"]).float(), full_matrices=False)
                p.add_((U @ Vh).type_as(p), alpha=-group["lr"])
