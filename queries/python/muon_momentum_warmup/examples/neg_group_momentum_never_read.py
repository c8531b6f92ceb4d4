# example: the loop writes a 0.85 -> 0.95 ramp into the groups' momentum, but the optimizer's step uses the fixed momentum kept at construction (self.beta), so the warmup never takes effect; negative.
import torch


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.beta = momentum

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(self.beta).add_(p.grad)
                U, _, Vh = torch.linalg.svd(p.grad + self.beta * buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


mats = [torch.nn.Parameter(torch.randn(512, 512)) for _ in range(3)]
opt = Muon(mats)
for step in range(2000):
    sum(m.square().sum() for m in mats).backward()
    frac = min(step / 500, 1)
    for group in opt.param_groups:
        group["momentum"] = (1 - frac) * 0.85 + frac * 0.95
    opt.step()
    opt.zero_grad()
