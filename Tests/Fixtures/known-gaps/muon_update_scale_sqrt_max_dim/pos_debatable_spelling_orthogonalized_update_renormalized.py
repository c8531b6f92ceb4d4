# gap: DEBATABLE spelling: the orthogonalized update is renormalized to unit RMS (divide by its RMS). For an (approximately) orthogonal m x n matrix RMS = 1/sqrt(max(m, n)), so this is the same sqrt(max dim) gain; positive.
import torch


def ns5(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.T if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                u = ns5(p.grad.add(buf, alpha=group["momentum"])).float()
                u = u / u.square().mean().sqrt().clamp_min(1e-8)
                p.add_(u.type_as(p), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(768, 3072))])
