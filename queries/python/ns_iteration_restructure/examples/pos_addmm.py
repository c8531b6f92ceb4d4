# example: the regrouped step written with torch.addmm - poly = addmm(A, A, A, beta=b, alpha=c) then X = addmm(X, poly, X, beta=a); positive (fused BLAS spelling).
import torch

COEFFS = (3.4445, -4.7750, 2.0315)


def polar_factor(M: torch.Tensor, iters: int = 5) -> torch.Tensor:
    a, b, c = COEFFS
    X = M.float() / (torch.linalg.matrix_norm(M.float()) + 1e-7)
    flip = X.shape[0] > X.shape[1]
    if flip:
        X = X.t()
    for _ in range(iters):
        gram = torch.mm(X, X.t())
        poly = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        X = torch.addmm(X, poly, X, beta=a)
    return X.t() if flip else X


@torch.no_grad()
def orthogonal_step(weights, moms, lr=0.04, beta=0.95):
    for w, m in zip(weights, moms):
        m.mul_(beta).add_(w.grad)
        w.sub_(lr * polar_factor(w.grad + beta * m).to(w.dtype))


ws = [torch.nn.Parameter(torch.randn(768, 3072)) for _ in range(2)]
ms = [torch.zeros_like(w) for w in ws]
