# example: the same functional Muon step at MATRIX_LR * factor with MATRIX_LR 0.05 and a 200-step warmup, but the linear fall runs from step 0 (1 - step / TOTAL), so the two lines cross below 1 (about 0.94) and the step size never reaches 0.05; NOT present.
import torch

MATRIX_LR = 0.05
TOTAL = 3200
WARM = 200


def polar(G, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(iters):
        S = X @ X.T
        X = a * X + (b * S + c * S @ S) @ X
    return X.to(G.dtype)


@torch.no_grad()
def ortho_update(mats, moms, lr, beta):
    for w in mats:
        m = moms[w]
        m.mul_(beta).add_(w.grad)
        w.sub_(lr * polar(w.grad.add(m, alpha=beta)))


mats = [torch.randn(128, 128, requires_grad=True) for _ in range(3)]
moms = {w: torch.zeros_like(w) for w in mats}

for step in range(TOTAL):
    x = torch.randn(16, 128)
    for w in mats:
        x = torch.tanh(x @ w)
    x.square().mean().backward()
    factor = min((step + 1) / WARM, 1 - step / TOTAL)
    ortho_update(mats, moms, MATRIX_LR * factor, 0.95)
    for w in mats:
        w.grad = None
