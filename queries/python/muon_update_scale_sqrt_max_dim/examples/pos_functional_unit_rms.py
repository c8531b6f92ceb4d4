# example: functional Muon update where the orthogonal matrix is rescaled by float(max(rows, cols)) ** 0.5 with a constant 0.2 in front (unit-RMS style); positive (constant factors fold into the LR).
import torch


def orthogonalize(M, iters=5):
    X = M.float() / (M.norm() + 1e-7)
    for _ in range(iters):
        G = X @ X.mT
        X = 3.4445 * X + (-4.7750 * G + 2.0315 * G @ G) @ X
    return X


@torch.no_grad()
def muon_update(params, moms, lr=0.02, beta=0.95):
    for p, m in zip(params, moms):
        m.lerp_(p.grad, 1 - beta)
        rows, cols = p.shape
        upd = orthogonalize(p.grad.lerp(m, beta) if rows <= cols else p.grad.lerp(m, beta).mT)
        if rows > cols:
            upd = upd.mT
        upd = upd * (0.2 * float(max(rows, cols)) ** 0.5)
        p.sub_(lr * upd)


weights = [torch.nn.Parameter(torch.randn(768, 768)), torch.nn.Parameter(torch.randn(3072, 768))]
moments = [torch.zeros_like(w) for w in weights]
for w in weights:
    w.grad = torch.randn_like(w)
muon_update(weights, moments)
