# example: the orthogonalization is picked from a class used as a namespace of static methods by the backend name of the group (`zeroth = getattr(Orthogonalizers, group["backend"])`), whose newtonschulz5 wraps a Newton-Schulz function; the momentum is orthogonalized before the update; positive.
import torch


def zeropower_via_newtonschulz5(G, steps=10, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= (X.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X


class Orthogonalizers:
    @staticmethod
    def svd(G, steps=None):
        U, S, V = G.svd()
        return U @ V.T

    @staticmethod
    def newtonschulz5(G, steps=10, eps=1e-7):
        return zeropower_via_newtonschulz5(G, steps=steps, eps=eps)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="newtonschulz5", backend_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend, backend_steps=backend_steps))

    def orthogonalize(self, g, group):
        zeroth = getattr(Orthogonalizers, group["backend"])
        return zeroth(g, steps=group["backend_steps"])

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                state = self.state[p]
                if "buf" not in state:
                    state["buf"] = torch.zeros_like(g)
                buf = state["buf"]
                buf.mul_(group["momentum"]).add_(g)
                g = g.add(buf, alpha=group["momentum"])
                g = self.orthogonalize(g, group)
                p.data.add_(g, alpha=-group["lr"])


model = torch.nn.Linear(768, 768)
opt = Muon(model.parameters(), lr=0.02)
