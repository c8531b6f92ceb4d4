# example: AdamW for the tied head created with weight_decay=0 and an orthogonalizing optimizer with no decay term; positive.
import torch
import torch.nn as nn


class OrthogonalNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, V = torch.svd(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(U @ V.T, alpha=-group["lr"])


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.h = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
        self.lm_head = nn.Linear(768, 50257, bias=False)

    def configure_optimizers(self, learning_rate, betas):
        return [
            torch.optim.AdamW(self.lm_head.parameters(), lr=learning_rate, betas=betas, weight_decay=0),
            OrthogonalNesterov(self.h.parameters(), lr=10 * learning_rate, momentum=0.95),
        ]


optimizers = GPT().configure_optimizers(learning_rate=0.0018, betas=(0.9, 0.95))
