# example: near miss - frac = min(step / 500, 1) ramps 0.85 -> 0.95, but it is written into Adam's beta1 (betas tuple); the Muon momentum stays fixed; negative.
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


emb = nn.Embedding(50304, 768)
mats = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(4))
adam = torch.optim.Adam(emb.parameters(), lr=0.3, betas=(0.85, 0.95))
muon = Muon(mats.parameters())
for step in range(1000):
    x = emb(torch.randint(0, 50304, (2, 8)))
    for m in mats:
        x = x + m(x)
    x.square().mean().backward()
    frac = min(step / 500, 1)
    adam.param_groups[0]["betas"] = ((1 - frac) * 0.85 + frac * 0.95, 0.95)
    adam.step()
    muon.step()
