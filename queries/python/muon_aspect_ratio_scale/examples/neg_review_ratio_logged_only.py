# example: the Muon step computes sqrt(max(1, rows / cols)) and stores it in the state for logging, but applies the orthogonalized update unscaled; negative (computed, not applied).
import torch


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                buf = state.setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                state["aspect_scale"] = max(1, p.size(0) / p.size(1)) ** 0.5
                g = orthogonalize(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(g.type_as(p), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(3072, 768))])
