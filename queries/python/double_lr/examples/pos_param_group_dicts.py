# example: one Adam with dict(params=..., lr=...) groups for embedding 0.6, head 0.008, scalars 0.04 and a Muon at 0.05 (later-record layout); positive (every LR at least doubled).
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
                buf.lerp_(p.grad, 1 - group["momentum"])
                U, _, Vh = torch.linalg.svd(p.grad.lerp(buf, group["momentum"]), full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"] * max(1, p.size(-2) / p.size(-1)) ** 0.5)


embed = nn.Embedding(50304, 768)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
lambdas = nn.Parameter(torch.ones(12))
lm_head = nn.Linear(768, 50304, bias=False)

hidden = [p for p in blocks.parameters() if p.ndim >= 2]
adam_groups = [
    dict(params=[embed.weight], lr=0.6),
    dict(params=[lm_head.weight], lr=0.008),
    dict(params=[lambdas], lr=0.04),
]
adam = torch.optim.Adam(adam_groups, betas=(0.8, 0.95), eps=1e-10)
muon = Muon(hidden, lr=0.05, momentum=0.95)
