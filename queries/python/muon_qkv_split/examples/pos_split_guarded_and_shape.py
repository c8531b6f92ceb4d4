# example: the block-wise split runs under a shape test joined with and (g.ndim == 2 and g.size(0) == g.size(1) * 3), the fused (3d, d) QKV gradient; each d x d block is orthogonalized; positive.
import torch
import torch.nn as nn


def ns5(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return (X.T if G.size(0) > G.size(1) else X).to(G.dtype)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(g))
                buf.mul_(group["momentum"]).add_(g)
                g = g.add(buf, alpha=group["momentum"])
                if g.ndim == 2 and g.size(0) == g.size(1) * 3:
                    g = torch.cat([ns5(block) for block in g.split(g.size(1))])
                    scale = g.size(1) ** 0.5
                else:
                    g = ns5(g)
                    scale = max(g.size(0), g.size(1)) ** 0.5
                p.add_(g, alpha=-group["lr"] * scale)


class Attn(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)


layers = nn.ModuleList(Attn() for _ in range(12))
opt = Muon(layers.parameters())
