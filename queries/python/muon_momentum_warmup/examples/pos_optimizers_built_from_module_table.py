# example: a builder fills a dict of optimizers from a module-level table of rows (role, kind), read inside the function; the training loop ramps the momentum of the "matrix" entry, which the table's "muon" row builds with the orthogonalizing optimizer; positive.
import torch


def orthogonalize(G, steps=5):
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
                p.add_(orthogonalize(buf), alpha=-group["lr"])


OPTIMIZER_TABLE = (
    ("embed", "adam"),
    ("matrix", "muon"),
)


def build_optimizers(net):
    optimizers = {}
    for role, kind in OPTIMIZER_TABLE:
        params = net[1].parameters() if role == "matrix" else net[0].parameters()
        if kind == "muon":
            optimizers[role] = OrthoSGD(params, lr=0.02, momentum=0.85)
        else:
            optimizers[role] = torch.optim.Adam(params, lr=0.01)
    return optimizers


net = torch.nn.Sequential(torch.nn.Embedding(1000, 64), torch.nn.Linear(64, 64))
optimizer_map = build_optimizers(net)
for it in range(2000):
    net(torch.randint(0, 1000, (8, 16))).float().mean().backward()
    ramp = min(it / 300, 1)
    for group in optimizer_map["matrix"].param_groups:
        group["momentum"] = 0.85 + ramp * 0.10
    for o in optimizer_map.values():
        o.step()
        o.zero_grad()
