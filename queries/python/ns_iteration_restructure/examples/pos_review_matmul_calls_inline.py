# example: the regrouped quintic step written with torch.matmul calls and coefficients from a module-level tuple: X = a * X + torch.matmul(b * A + c * torch.matmul(A, A), X); positive.
import torch

NS_COEFFS = (3.4445, -4.7750, 2.0315)


def orthogonalize(G, steps=5, eps=1e-7):
    a, b, c = NS_COEFFS
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = torch.matmul(X, X.T)
        X = a * X + torch.matmul(b * A + c * torch.matmul(A, A), X)
    return X.T if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(768, 3072))])
