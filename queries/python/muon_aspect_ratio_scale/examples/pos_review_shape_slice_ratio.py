# example: functional Muon step: fan_out, fan_in = update.shape[-2:] and the orthogonalized update is scaled by max(1.0, fan_out / fan_in) ** 0.5 before sub_; positive.
import torch


def polar(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.to(G.dtype)


@torch.no_grad()
def muon_step(params, bufs, lr=0.05, beta=0.95):
    for p, buf in zip(params, bufs):
        buf.lerp_(p.grad, 1 - beta)
        update = polar(p.grad.lerp(buf, beta))
        fan_out, fan_in = update.shape[-2:]
        scale = max(1.0, fan_out / fan_in) ** 0.5
        p.sub_(lr * scale * update)


params = [torch.randn(3072, 768, requires_grad=True), torch.randn(768, 3072, requires_grad=True)]
bufs = [torch.zeros_like(p) for p in params]
for it in range(5):
    x = torch.randn(4, 768)
    (x @ params[0].T @ params[1].T).square().mean().backward()
    muon_step(params, bufs)
    for p in params:
        p.grad = None
