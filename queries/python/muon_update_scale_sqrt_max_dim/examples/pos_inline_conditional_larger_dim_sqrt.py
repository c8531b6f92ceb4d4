# example: functional orthogonalized update whose gain is math.sqrt of the larger dimension picked inline with `fan_out if fan_out >= fan_in else fan_in`; positive.
import math

import torch


def polar(M, iters=5):
    X = M.float() / (M.norm() + 1e-7)
    for _ in range(iters):
        G = X @ X.mT
        X = 3.4445 * X + (-4.7750 * G + 2.0315 * G @ G) @ X
    return X


@torch.no_grad()
def orthogonal_step(params, moms, lr=0.02, beta=0.95):
    for p, m in zip(params, moms):
        m.lerp_(p.grad, 1 - beta)
        fan_out, fan_in = p.size(0), p.size(1)
        upd = polar(p.grad.lerp(m, beta))
        p.add_(upd, alpha=-lr * math.sqrt(fan_out if fan_out >= fan_in else fan_in))


weights = [torch.nn.Parameter(torch.randn(768, 768)), torch.nn.Parameter(torch.randn(3072, 768))]
moments = [torch.zeros_like(w) for w in weights]
for w in weights:
    w.grad = torch.randn_like(w)
orthogonal_step(weights, moments)
