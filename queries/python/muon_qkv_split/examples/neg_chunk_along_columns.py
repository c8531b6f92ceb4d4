# example: near miss - the Muon step cuts a (3d, d) gradient into three slabs along the columns (g.chunk(3, dim=1)), each mixing query, key and value rows, and orthogonalizes those slabs; negative.
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
                if g.size(0) == 3 * g.size(1):
                    g = torch.cat([ns5(slab) for slab in g.chunk(3, dim=1)], dim=1)
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
