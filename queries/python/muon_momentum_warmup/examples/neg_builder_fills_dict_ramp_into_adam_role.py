# example: near miss - the builder stores the orthogonalizing optimizer under "hidden" only; the Ramp(0.85, 0.95, 400) value is written into made["tokens"], whose row makes an Adam (no momentum entry its update reads); negative.
import torch
import torch.nn as nn


def polar_factor(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(polar_factor(buf), alpha=-group["lr"])


ROLE_TABLE = {
    "tokens": {"rule": "adam", "lr": 0.3},
    "hidden": {"rule": "ortho", "lr": 0.02},
    "readout": {"rule": "adam", "lr": 0.002},
}


def split_by_role(net):
    return {"tokens": list(net[0].parameters()), "hidden": list(net[1].parameters()), "readout": list(net[2].parameters())}


def make_optimizers(net):
    made = {}
    for role, tensors in split_by_role(net).items():
        row = ROLE_TABLE[role]
        if row["rule"] == "ortho":
            made[role] = OrthoMomentum(tensors, lr=row["lr"])
        else:
            made[role] = torch.optim.Adam(tensors, lr=row["lr"], betas=(0.9, 0.95))
    return made


class Ramp:
    def __init__(self, first, last, span):
        self.first, self.last, self.span = first, last, span

    def __call__(self, t):
        return self.first + (self.last - self.first) * min(t / self.span, 1.0)


net = nn.Sequential(nn.Embedding(1000, 64), nn.Linear(64, 64, bias=False), nn.Linear(64, 1000, bias=False))
made = make_optimizers(net)
warm = Ramp(0.85, 0.95, 400)
for t in range(3000):
    net(torch.randint(0, 1000, (8, 16))).float().mean().backward()
    for group in made["tokens"].param_groups:
        group["momentum"] = warm(t)
    for opt in made.values():
        opt.step()
        opt.zero_grad(set_to_none=True)
