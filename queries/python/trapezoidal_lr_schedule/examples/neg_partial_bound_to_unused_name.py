# example: near miss - the trapezoid and its partial are written, but the partial is bound to another name (`wsd = functools.partial(...)`) that nothing calls: the loop still runs the linear decay `get_lr`; NOT present.
import functools
import torch
from dataclasses import dataclass

@dataclass
class Cfg:
    peak: float = 0.0018
    total: int = 5000
    warm: int = 100
    ramp_down: int = 1500

def hold_then_ramp(step, cfg):
    if step < cfg.warm:
        return cfg.peak * (step + 1) / cfg.warm
    remaining = cfg.total - step
    if remaining > cfg.ramp_down:
        return cfg.peak
    return cfg.peak * remaining / cfg.ramp_down

def train(cfg, model):
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.peak)

    def get_lr(step):
        frac = step / cfg.total
        return cfg.peak * (1.0 - frac)
    wsd = functools.partial(hold_then_ramp, cfg=cfg)

    for step in range(cfg.total):
        for group in opt.param_groups:
            group["lr"] = get_lr(step)
        opt.step()

train(Cfg(), torch.nn.Linear(8, 8))
