# example: a scaled(lr) helper multiplies every base learning rate by LR_SCALE = 2; embedding Adam 0.3, head Adam 0.004, Newton-Schulz optimizer 0.025 and scalar Adam 0.02 all pass through it; positive.
import torch
import torch.nn as nn

LR_SCALE = 2.0


def scaled(lr):
    return lr * LR_SCALE


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"])


wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768) for _ in range(12))
matrices = [p for p in blocks.parameters() if p.ndim == 2]
vectors = [p for p in blocks.parameters() if p.ndim < 2]
optimizers = [
    torch.optim.Adam([wte.weight], lr=scaled(0.3), betas=(0.8, 0.95)),
    torch.optim.Adam([lm_head.weight], lr=scaled(0.004), betas=(0.8, 0.95)),
    Muon(matrices, lr=scaled(0.025), momentum=0.95),
    torch.optim.Adam(vectors, lr=scaled(0.02), betas=(0.8, 0.95)),
]
