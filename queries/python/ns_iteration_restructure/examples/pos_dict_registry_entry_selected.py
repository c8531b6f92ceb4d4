# example: the regrouped NS5 step (B = b*A + c*A@A; X = a*X + B@X) is an entry of a backend table built with dict(...), and the optimizer is built with backend="regrouped", which selects it; positive.
import torch


def ns5_classic(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return X


def ns5_regrouped(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X


backends = dict(classic=ns5_classic, regrouped=ns5_regrouped)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, backend="classic"):
        super().__init__(params, dict(lr=lr, backend=backend))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            orthogonalize = backends[group["backend"]]
            for w in group["params"]:
                w.sub_(group["lr"] * orthogonalize(w.grad))


hidden = torch.nn.Linear(768, 768, bias=False)
opt = Muon(hidden.parameters(), lr=0.02, backend="regrouped")
