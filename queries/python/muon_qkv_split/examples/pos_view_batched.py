# example: when the gradient is 3d x d, it is viewed as (3, d, d), orthogonalized by a batched Newton-Schulz over the leading dimension and viewed back; positive (batched per-block spelling).
import torch


def ns_batched(G, steps=5):
    X = G / (G.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.transpose(-2, -1)
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class BlockMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                m = self.state[p].setdefault("m", torch.zeros_like(g))
                m.mul_(group["momentum"]).add_(g)
                g = g + group["momentum"] * m
                rows, cols = g.shape
                if rows == 3 * cols:
                    g = ns_batched(g.view(3, cols, cols)).view(rows, cols)
                else:
                    g = ns_batched(g)
                p.add_(g, alpha=-group["lr"])


opt = BlockMuon([torch.nn.Parameter(torch.randn(2304, 768)), torch.nn.Parameter(torch.randn(768, 768))])
