# example: record-3 pairing, AdamW at 0.0018 and the orthogonal optimizer at 10x that; negative (the retune has not happened).
import torch
import torch.nn as nn


class OrthogonalNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, V = torch.svd(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(U @ V.T, alpha=-group["lr"])


learning_rate = 0.0018
lm_head = nn.Linear(768, 50257, bias=False)
h = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
optimizers = [
    torch.optim.AdamW(lm_head.parameters(), lr=learning_rate, betas=(0.9, 0.95), weight_decay=0),
    OrthogonalNesterov(h.parameters(), lr=10 * learning_rate, momentum=0.95),
]
