# example: near miss - Muon momentum is scheduled per step, but it DEcreases from 0.95 to 0.85 over the final 500 steps (a cooldown, not a warmup); negative.
import torch

TOTAL = 3000


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                b = self.state[p].setdefault("b", torch.zeros_like(p))
                b.mul_(g["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(b, full_matrices=False)
                p.sub_(g["lr"] * (U @ Vh))


ws = [torch.nn.Parameter(torch.randn(256, 256)) for _ in range(2)]
opt = Muon(ws)
for step in range(TOTAL):
    sum(w.square().sum() for w in ws).backward()
    frac = max(0.0, (step - (TOTAL - 500)) / 500)
    opt.param_groups[0]["momentum"] = (1 - frac) * 0.95 + frac * 0.85
    opt.step()
    opt.zero_grad()
