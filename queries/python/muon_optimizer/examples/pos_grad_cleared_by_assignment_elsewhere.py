# example: Optimizer subclass with Nesterov momentum whose update is orthogonalized by a quintic Newton-Schulz inside `if p.grad is not None:`, while the training loop clears gradients itself with `p.grad = None` (the file's only write of `grad` is no configuration of `p.grad`); positive.
import torch
import torch.nn as nn


def newton_schulz_orth(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return (X.T if tall else X).to(G.dtype)


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"])
                    p.add_(newton_schulz_orth(g), alpha=-group["lr"])


def clear_grads(model):
    for p in model.parameters():
        p.grad = None


blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
head = nn.Linear(768, 50304, bias=False)
optimizers = [
    torch.optim.AdamW(head.parameters(), lr=0.0018, betas=(0.9, 0.95), weight_decay=0),
    OrthoMomentum(blocks.parameters(), lr=0.018, momentum=0.95),
]
for step in range(100):
    x = torch.randn(8, 768)
    loss = head(blocks[0](x)).square().mean()
    loss.backward()
    for opt in optimizers:
        opt.step()
    clear_grads(blocks)
    clear_grads(head)
