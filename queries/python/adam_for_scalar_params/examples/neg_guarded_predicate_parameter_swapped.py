# example: the same guarded get_param_groups splitter given `lambda name, p: p.ndim >= 2`, so the matrices go to Adam and the scalars to Muon; negative.
import torch
import torch.nn as nn


def zeropower(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower(buf).type_as(p), alpha=-group["lr"])


def get_param_groups(module, match_cond=None):
    matched, rest = [], []
    for name, p in module.named_parameters():
        if match_cond is not None and match_cond(name, p):
            matched.append(p)
        else:
            rest.append(p)
    return matched, rest


layers = nn.Sequential(nn.Linear(256, 1024, bias=False), nn.LayerNorm(1024), nn.Linear(1024, 256, bias=False))
scalar_params, matrix_params = get_param_groups(layers, match_cond=lambda name, p: p.ndim >= 2)
muon = Muon(matrix_params, lr=0.05)
adam = torch.optim.Adam(scalar_params, lr=0.04, betas=(0.8, 0.95), eps=1e-10)
