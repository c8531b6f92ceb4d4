# gap: Per-parameter scale precomputed once at construction (stored in optimizer state) with numpy, then folded into the step size; positive.
import numpy as np
import torch


def orthogonalize(G, iters=5):
    X = G.float() / (G.norm() + 1e-7)
    for _ in range(iters):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class ScaledOrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                st["buf"] = torch.zeros_like(p)
                st["rms_gain"] = float(np.sqrt(np.max(p.shape)))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                st["buf"].mul_(group["momentum"]).add_(p.grad)
                upd = orthogonalize(p.grad + group["momentum"] * st["buf"])
                p.add_(upd.to(p.dtype), alpha=-group["lr"] * st["rms_gain"])


weights = [torch.nn.Parameter(torch.randn(768, 3072)), torch.nn.Parameter(torch.randn(3072, 768))]
opt = ScaledOrthoSGD(weights)
