# example: the aspect ratio is computed into a local first, then the update is scaled by sqrt(max(ratio, 1));
# positive.
import math
import torch


def ns_orth(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class TallScaledOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for w in grp["params"]:
                st = self.state[w]
                if not st:
                    st["m"] = torch.zeros_like(w.grad)
                st["m"].mul_(grp["momentum"]).add_(w.grad)
                o = ns_orth(w.grad + grp["momentum"] * st["m"])
                ratio = w.size(0) / w.size(1)
                w.add_(o.to(w.dtype), alpha=-grp["lr"] * math.sqrt(max(ratio, 1.0)))
