# example: the file's Muon keeps its momentum under the group key "mu" (read in step as the buffer's decay), and the
# loop writes a 0.85 -> 0.95 ramp into it, written as a lambda with a walrus; positive.
import torch


def orth(G):
    U, S, Vh = torch.linalg.svd(G, full_matrices=False)
    return U @ Vh


class Ortho(torch.optim.Optimizer):
    def __init__(s, ps, lr=0.02, mu=0.95):
        super().__init__(ps, dict(lr=lr, mu=mu))

    @torch.no_grad()
    def step(s):
        for g in s.param_groups:
            lr, mu = g["lr"], g["mu"]
            for p in g["params"]:
                b = s.state[p].setdefault("b", torch.zeros_like(p))
                b.mul_(mu).add_(p.grad)
                p.add_(orth(p.grad.add(b, alpha=mu)), alpha=-lr)


H = dict(m0=0.85, m1=0.95, warm=500)
ramp = lambda t: (f := min(t / H["warm"], 1)) * H["m1"] + (1 - f) * H["m0"]
mats = [torch.nn.Parameter(torch.randn(256, 256)) for _ in range(3)]
opt = Ortho(mats)
for step in range(2000):
    sum(m.square().sum() for m in mats).backward()
    for g in opt.param_groups:
        g["mu"] = ramp(step)
    opt.step()
    opt.zero_grad()
