# example: the orthogonalizing optimizer is built inside a list literal with the Adams; the loop writes a rising
# momentum into opts[1].param_groups[0]; positive.
import torch


def newton_schulz(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(newton_schulz(buf), alpha=-group["lr"])


net = torch.nn.Sequential(torch.nn.Embedding(1000, 64), torch.nn.Linear(64, 64), torch.nn.Linear(64, 1000))
opts = [
    torch.optim.Adam(net[0].parameters(), lr=0.3),
    OrthoSGD(net[1].parameters(), lr=0.02, momentum=0.95),
    torch.optim.Adam(net[2].parameters(), lr=0.002),
]
for it in range(2000):
    net(torch.randint(0, 1000, (8, 16))).float().mean().backward()
    ramp = min(it / 500, 1)
    opts[1].param_groups[0]["momentum"] = 0.85 + ramp * 0.10
    for o in opts:
        o.step()
        o.zero_grad()
