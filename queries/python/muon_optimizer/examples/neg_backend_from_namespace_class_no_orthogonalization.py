# example: the same namespace class picked by getattr, but its methods only normalize (`G / G.norm()`) or take the sign; nothing orthogonalizes the update; NOT present.
import torch


class Orthogonalizers:
    @staticmethod
    def sign(G, steps=None):
        return G.sign()

    @staticmethod
    def newtonschulz5(G, steps=10, eps=1e-7):
        return G / (G.norm() + eps)


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
