# example: an optimizer runs Newton-Schulz as a recursive helper (each level returns the helper called on a * X + B @ X with one round fewer) on the Nesterov momentum and applies it in place; positive (recursion instead of a loop).
import torch


def polish(X, rounds):
    if rounds == 0:
        return X
    A = X @ X.T
    B = A @ X
    return polish(3.4445 * X - 4.7750 * B + 2.0315 * A @ B, rounds - 1)


def orthogonal_direction(G):
    X = G.bfloat16() / (G.norm() + 1e-7)
    tall = G.size(0) > G.size(1)
    X = polish(X.T if tall else X, 5)
    return (X.T if tall else X).to(G.dtype)


class RecursivePolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonal_direction(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


blocks = torch.nn.ModuleList(torch.nn.Linear(384, 384, bias=False) for _ in range(6))
opt = RecursivePolarSGD(blocks.parameters())
