# example: the orthogonalized update is scaled by sqrt(fan_out / fan_in) (no max with 1, no max of the dims); negative (a shape-ratio scale, not sqrt(max(rows, cols))).
import torch


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
    return X


class SpectralSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p)
                st["buf"].mul_(group["momentum"]).add_(p.grad)
                g = orthogonalize(st["buf"])
                fan_out, fan_in = p.shape
                g *= (fan_out / fan_in) ** 0.5
                p.add_(g.type_as(p), alpha=-group["lr"])


opt = SpectralSGD([torch.nn.Parameter(torch.randn(3072, 768))])
