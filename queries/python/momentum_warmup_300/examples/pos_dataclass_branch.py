# example: the warmup length is a dataclass field (300) and the ramp is an if/else branch feeding the Muon groups; a third spelling of the 300-step momentum warmup.
from dataclasses import dataclass


@dataclass
class Schedule:
    total_steps: int = 1390
    muon_momentum_warmup: int = 300
    momentum_lo: float = 0.85
    momentum_hi: float = 0.95


def momentum_at(step: int, s: Schedule) -> float:
    if step < s.muon_momentum_warmup:
        t = step / s.muon_momentum_warmup
    else:
        t = 1.0
    return s.momentum_lo * (1 - t) + s.momentum_hi * t


def loop(model, batches, adam, muon, s=Schedule()):
    for step, (x, y) in zip(range(s.total_steps), batches):
        model(x, y).backward()
        for g in muon.param_groups:
            g["momentum"] = momentum_at(step, s)
        adam.step()
        muon.step()
        model.zero_grad(set_to_none=True)
