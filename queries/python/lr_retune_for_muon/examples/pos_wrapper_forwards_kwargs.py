# example: a small factory takes `**options` and hands them on to AdamW unchanged (`AdamW(params, fused=True, **options)`); the one call gives lr=0.0036, and the Newton-Schulz optimizer a tenth of it; positive (the rate reaches the constructor through the wrapper's **kwargs).
import torch
import torch.nn as nn

base_rate = 0.0036


def polar(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("m", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(polar(buf).type_as(p), alpha=-group["lr"] * max(p.shape) ** 0.5)


def make_adamw(params, **options):
    return torch.optim.AdamW(params, fused=True, **options)


embedding = nn.Embedding(50304, 768)
body = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
opt_embed = make_adamw(embedding.parameters(), lr=base_rate, betas=(0.9, 0.95), weight_decay=0.0)
opt_body = OrthoMomentum(body.parameters(), lr=0.1 * base_rate)
