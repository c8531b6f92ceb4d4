# example: argparse gives start/end momentum and warmup steps; numpy.interp computes the ramp and the value is written into the orthogonal optimizer's groups; positive (interp spelling, configurable values).
import argparse
import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--mom_start", type=float, default=0.85)
ap.add_argument("--mom_end", type=float, default=0.95)
ap.add_argument("--mom_warmup", type=int, default=500)
ap.add_argument("--steps", type=int, default=3000)
cfg = ap.parse_args()


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w))
                m.mul_(g["momentum"]).add_(w.grad)
                U, _, Vh = torch.linalg.svd(m, full_matrices=False)
                w.sub_(g["lr"] * (U @ Vh))


weights = [torch.nn.Parameter(torch.randn(512, 512)) for _ in range(3)]
opt = OrthoSGD(weights)
for step in range(cfg.steps):
    sum(w.square().sum() for w in weights).backward()
    mom = float(np.interp(step, [0, cfg.mom_warmup], [cfg.mom_start, cfg.mom_end]))
    for g in opt.param_groups:
        g["momentum"] = mom
    opt.step()
    opt.zero_grad()
