# example: Newton-Schulz with a different (a, b, c) per iteration taken from a coefficient list, each step regrouped as B = b * A + c * (A @ A); X = a * X + B @ X; positive.
import torch

COEFFS = [
    (4.0848, -6.8946, 2.9270),
    (3.9505, -6.3029, 2.6377),
    (3.7418, -5.5913, 2.3037),
    (2.8769, -3.1427, 1.2046),
    (2.8366, -3.0525, 1.2012),
]


def polar(G):
    X = G.bfloat16()
    X = X / (X.norm(dim=(-2, -1), keepdim=True) * 1.01 + 1e-7)
    for a, b, c in COEFFS:
        A = X @ X.mT
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    return X


@torch.no_grad()
def muon_update(params, bufs, lr=0.05, beta=0.95):
    for p, buf in zip(params, bufs):
        buf.lerp_(p.grad, 1 - beta)
        p.sub_(lr * polar(p.grad.lerp(buf, beta)).type_as(p))


params = [torch.randn(256, 256, requires_grad=True)]
bufs = [torch.zeros_like(p) for p in params]
for step in range(10):
    (params[0] @ torch.randn(256, 4)).square().mean().backward()
    muon_update(params, bufs)
    params[0].grad = None
