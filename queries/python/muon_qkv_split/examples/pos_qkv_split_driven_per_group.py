# example: QKV split driven by a per-group flag: param group {"params": qkv, "blocks": 3}; tensor_split + map; positive.
import torch
import torch.nn as nn


def orth(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return (X.T if tall else X).float()


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum, blocks=1))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            nblk = group["blocks"]
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                g = torch.cat(list(map(orth, torch.tensor_split(g, nblk, dim=0))), dim=0)
                p.add_(g.type_as(p), alpha=-group["lr"])


class Attn(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)


layers = nn.ModuleList(Attn() for _ in range(12))
opt = Muon([
    {"params": [l.c_attn.weight for l in layers], "blocks": 3},
    {"params": [l.c_proj.weight for l in layers]},
])
