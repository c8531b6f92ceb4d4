# example: the optimizers are built at the old rates and a set-up function, called once before training, rescales
# every group: g["lr"] = 2 * g["lr"] over a tuple of the four optimizers, and the head's rate divided by 0.5 once more
# (embedding 0.6, head 0.008, orthogonal 0.04, scalars 0.04).
import torch
from torch import nn


def orthogonalize(m, iters=5):
    y = m.bfloat16()
    y = y / (y.norm() + 1e-7)
    for _ in range(iters):
        s = y @ y.T
        y = 3.4445 * y + (-4.7750 * s + 2.0315 * s @ s) @ y
    return y


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for w in grp["params"]:
                acc = self.state[w].setdefault("acc", torch.zeros_like(w))
                acc.mul_(grp["momentum"]).add_(w.grad)
                w.add_(orthogonalize(acc).type_as(w), alpha=-grp["lr"])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 768)
        self.layers = nn.ModuleList(nn.Linear(768, 768) for _ in range(12))
        self.readout = nn.Linear(768, 50304, bias=False)


def rescale(opts, readout_opt):
    for o in opts:
        for g in o.param_groups:
            g["lr"] = 2 * g["lr"]
    for g in readout_opt.param_groups:
        g["lr"] /= 0.5


net = Net()
tok_opt = torch.optim.Adam([net.tok.weight], lr=0.3, betas=(0.8, 0.95))
readout_opt = torch.optim.Adam([net.readout.weight], lr=0.002, betas=(0.8, 0.95))
ortho_opt = Ortho([p for p in net.layers.parameters() if p.ndim == 2], lr=0.02)
gain_opt = torch.optim.Adam([p for p in net.layers.parameters() if p.ndim < 2], lr=0.02, betas=(0.8, 0.95))
rescale((tok_opt, readout_opt, ortho_opt, gain_opt), readout_opt)
