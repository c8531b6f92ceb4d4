# example: the loop ramps `opt.momentum` from a torch.linspace table, and `step` copies it to a local, but only to log it; the buffer decays with a fixed 0.95, so the ramp never reaches the update; negative.
import torch


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr))
        self.momentum = momentum
        self.seen = []

    @torch.no_grad()
    def step(self):
        beta = self.momentum
        self.seen.append(beta)
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(0.95).add_(p.grad)
                U, _, Vh = torch.linalg.svd(p.grad + 0.95 * buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


WARM = 500
TABLE = torch.linspace(0.85, 0.95, WARM + 1)

mats = [torch.nn.Parameter(torch.randn(512, 512)) for _ in range(3)]
opt = Muon(mats)
for it in range(2000):
    sum(m.square().sum() for m in mats).backward()
    opt.momentum = TABLE[min(it, WARM)].item()
    opt.step()
    opt.zero_grad()
