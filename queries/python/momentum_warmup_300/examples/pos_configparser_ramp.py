# example: Muon's momentum ramps from 0.85 to 0.95 over a length read from an embedded INI document with configparser (optim section, getint / getfloat); the document sets 300 steps; positive.
import configparser
import torch

INI = """
[optim]
muon_momentum = 0.95
muon_momentum_init = 0.85
muon_momentum_ramp = 300
"""
cfg = configparser.ConfigParser()
cfg.read_string(INI)


def zeropower_via_newtonschulz5(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                p.add_(zeropower_via_newtonschulz5(g), alpha=-group["lr"])


def main():
    oc = cfg["optim"]
    model = torch.nn.Linear(64, 64, bias=False)
    muon = Muon(model.parameters(), lr=0.05, momentum=oc.getfloat("muon_momentum"))
    ramp = oc.getint("muon_momentum_ramp")
    m0, m1 = oc.getfloat("muon_momentum_init"), oc.getfloat("muon_momentum")
    for step in range(1000):
        frac = min(step / ramp, 1)
        for g in muon.param_groups:
            g["momentum"] = (1 - frac) * m0 + frac * m1
        muon.step()


main()
