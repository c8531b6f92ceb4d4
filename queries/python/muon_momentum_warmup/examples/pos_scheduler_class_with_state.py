# example: Momentum warmup expressed with torch.optim's LambdaLR-like pattern: a small MomentumScheduler class (state_dict-able) whose step() writes a clamp-based ramp into the optimizer's groups; present.
from dataclasses import dataclass

import torch


@dataclass
class MomCfg:
    start: float = 0.85
    end: float = 0.95
    warmup_steps: int = 500


class MomentumScheduler:
    def __init__(self, optimizer, cfg: MomCfg):
        self.opt, self.cfg, self.t = optimizer, cfg, 0

    def step(self):
        self.t += 1
        frac = max(0.0, min(1.0, self.t / self.cfg.warmup_steps))
        value = self.cfg.start + frac * (self.cfg.end - self.cfg.start)
        for g in self.opt.param_groups:
            g["momentum"] = value


def orth(G):
    X = G / (G.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                b = self.state[p].setdefault("b", torch.zeros_like(p))
                b.mul_(g["momentum"]).add_(p.grad)
                p.add_(orth(p.grad + g["momentum"] * b), alpha=-g["lr"])


mats = [torch.nn.Parameter(torch.randn(768, 768) * 0.02) for _ in range(4)]
muon = Muon(mats)
mom_sched = MomentumScheduler(muon, MomCfg())
for it in range(1500):
    sum((m @ m.T).trace() for m in mats).backward()
    muon.step()
    mom_sched.step()
    muon.zero_grad()
