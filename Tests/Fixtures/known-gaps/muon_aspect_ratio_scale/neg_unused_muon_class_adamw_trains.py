# gap: a Muon class that scales each update by sqrt(max(1, rows / cols)) is kept in the file, but nothing builds it: every parameter trains with AdamW; the Muon-internal features are read from optimizer classes whether or not they are instantiated (small examples define the class alone), so the scale is credited; negative.
import torch
import torch.nn as nn


def orthogonalize(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.bfloat16() / (g.norm() + 1e-7)
    if g.size(0) > g.size(1):
        x = x.T
    for _ in range(steps):
        m = x @ x.T
        x = a * x + (b * m + c * m @ m) @ x
    return x.T if g.size(0) > g.size(1) else x


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = orthogonalize(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(g, alpha=-group["lr"] * max(1, p.size(0) / p.size(1)) ** 0.5)


model = nn.Sequential(nn.Linear(768, 3072, bias=False), nn.ReLU(), nn.Linear(3072, 768, bias=False))
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.0)
