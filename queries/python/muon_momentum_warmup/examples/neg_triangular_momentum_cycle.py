# example: near miss - a triangular momentum cycle: it rises from 0.85 to 0.95 over 300 steps and falls straight back
# over the next 300, again and again; it never settles at its top, so this is no warmup; negative.
import torch


import torch


def polar(update, rounds=5):
    x = update.bfloat16()
    x = x / (x.norm() + 1e-7)
    for _ in range(rounds):
        gram = x @ x.mT
        x = 3.4445 * x + (-4.7750 * gram + 2.0315 * gram @ gram) @ x
    return x


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w))
                m.mul_(g["momentum"]).add_(w.grad)
                w.add_(polar(w.grad.add(m, alpha=g["momentum"])).type_as(w), alpha=-g["lr"])


TOTAL_STEPS = 1600


def muon_momentum(step, half=300, lo=0.85, hi=0.95):
    phase = step % (2 * half)
    if phase < half:
        return lo + phase / half * (hi - lo)
    return hi - (phase - half) / half * (hi - lo)


mats = [torch.nn.Parameter(torch.randn(512, 512) / 512 ** 0.5) for _ in range(6)]
opt = OrthoSGD(mats)
for step in range(TOTAL_STEPS + 1):
    sum((m @ m).square().mean() for m in mats).backward()
    for g in opt.param_groups:
        g["momentum"] = muon_momentum(step)
    opt.step()
    opt.zero_grad(set_to_none=True)
