# example: Momentum warmup via a precomputed torch.linspace table and torch.clamp on the index; the Muon class reads self.momentum (an attribute), which the loop sets each step; positive.
import torch


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr))
        self.momentum = momentum

    @torch.no_grad()
    def step(self):
        beta = self.momentum
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(beta).add_(p.grad)
                U, _, Vh = torch.linalg.svd(p.grad + beta * buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


WARM = 500
MOMENTUM_TABLE = torch.linspace(0.85, 0.95, WARM + 1)

mats = [torch.nn.Parameter(torch.randn(512, 512)) for _ in range(3)]
opt = Muon(mats)
for it in range(2000):
    sum(m.square().sum() for m in mats).backward()
    opt.momentum = MOMENTUM_TABLE[min(it, WARM)].item()
    opt.step()
    opt.zero_grad()
