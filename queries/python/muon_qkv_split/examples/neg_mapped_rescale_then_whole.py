# example: near miss - `map` runs over the blocks of a (3d, d) update, but only to rescale each one; the blocks are
# concatenated back and orthogonalized as one matrix; NOT present (joint orthogonalization).
import torch


def _ns(G, k=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16(); X /= X.norm() + 1e-7; tr = G.size(0) > G.size(1)
    X = X.T if tr else X
    for _ in range(k): A = X @ X.T; X = a * X + (b * A + c * A @ A) @ X
    return (X.T if tr else X).to(G.dtype)


def unit(b): return b / (b.norm() + 1e-7)


class Mu(torch.optim.Optimizer):
    def __init__(s, ps, lr=0.02, mu=0.95): super().__init__(ps, dict(lr=lr, mu=mu))

    @torch.no_grad()
    def step(s):
        for g in s.param_groups:
            for p in g["params"]:
                m = s.state[p].setdefault("m", torch.zeros_like(p.grad)); m.mul_(g["mu"]).add_(p.grad)
                u = p.grad.add(m, alpha=g["mu"])
                u = torch.cat([*map(unit, u.split(u.size(1)))]) if u.size(0) == 3 * u.size(1) else u
                p.add_(_ns(u), alpha=-g["lr"])


opt = Mu([torch.nn.Parameter(torch.randn(2304, 768))])
