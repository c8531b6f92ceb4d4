# example: a helper computes 0.85 + 0.10 * min(1.0, it / MOMENTUM_WARMUP_STEPS) with the constant set to 300 and assigns it to the Muon group; same warmup, other expression.
import torch
from muon import Muon

MOMENTUM_WARMUP_STEPS = 300
START_MOMENTUM, END_MOMENTUM = 0.85, 0.95


def muon_momentum(it: int) -> float:
    ramp = min(1.0, it / MOMENTUM_WARMUP_STEPS)
    return START_MOMENTUM + (END_MOMENTUM - START_MOMENTUM) * ramp


def optimizer_step(optimizers, muon: Muon, it: int):
    muon.param_groups[0]["momentum"] = muon_momentum(it)
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    w = torch.nn.Parameter(torch.randn(64, 64))
    m = Muon([w], lr=0.05, momentum=0.95)
    for it in range(5):
        w.grad = torch.randn_like(w)
        optimizer_step([m], m, it)
