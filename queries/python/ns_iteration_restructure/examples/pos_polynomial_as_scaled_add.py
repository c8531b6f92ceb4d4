# example: the Gram polynomial written as a scaled sum call, B = torch.add(A, A @ A, alpha=c / b).mul_(b) (= b*A + c*A@A), then X = a * X + B @ X; positive.
import torch


def polar(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = torch.add(A, A @ A, alpha=c / b).mul_(b)
        X = a * X + B @ X
    return X.T if tall else X


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(polar(buf).to(p.dtype), alpha=-group["lr"])


w = torch.nn.Parameter(torch.randn(64, 32))
opt = Ortho([w])
(w ** 2).sum().backward()
opt.step()
