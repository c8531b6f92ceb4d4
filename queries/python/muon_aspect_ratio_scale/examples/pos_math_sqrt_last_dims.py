# example: functional update for 2-D or batched params uses math.sqrt(max(1.0, p.size(-2) / p.size(-1))) on the Newton-Schulz output; positive (last-two-dims spelling).
import math
import torch


def orthogonalize(G, steps=5):
    X = G.bfloat16()
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    tall = G.size(-2) > G.size(-1)
    if tall:
        X = X.mT
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.mT if tall else X


@torch.no_grad()
def apply_muon(params, buffers, lr=0.05, momentum=0.95):
    for p, buf in zip(params, buffers):
        buf.lerp_(p.grad, 1 - momentum)
        update = orthogonalize(p.grad.lerp(buf, momentum))
        p.add_(update.type_as(p), alpha=-lr * math.sqrt(max(1.0, p.size(-2) / p.size(-1))))


ps = [torch.nn.Parameter(torch.randn(3, 768, 768)), torch.nn.Parameter(torch.randn(3072, 768))]
bufs = [torch.zeros_like(p) for p in ps]
