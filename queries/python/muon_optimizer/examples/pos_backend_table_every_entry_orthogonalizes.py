# example: the optimizer looks its update up in a table of backends by a key the environment gives, and every backend of the table orthogonalizes (Newton-Schulz or the polar factor from an SVD); positive.
import functools
import os

import torch
import torch.nn as nn


def newton_schulz_orth(G, steps=5, eps=1e-7):
    assert G.ndim == 2
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


def polar_via_svd(G):
    U, _, Vh = torch.linalg.svd(G.float(), full_matrices=False)
    return (U @ Vh).to(G.dtype)


ORTHO_BACKENDS = {
    "ns5": newton_schulz_orth,
    "svd": polar_via_svd,
}


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, backend=None):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, backend=backend))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                p.add_(ORTHO_BACKENDS[group["backend"]](g), alpha=-group["lr"])


blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
head = nn.Linear(768, 50304, bias=False)
optimizers = [
    torch.optim.AdamW(head.parameters(), lr=0.0018, betas=(0.9, 0.95), weight_decay=0),
    OrthoMomentum(blocks.parameters(), lr=0.018, momentum=0.95, backend=os.environ["ORTHO_BACKEND"]),
]
