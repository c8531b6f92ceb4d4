# example: near miss - optimizers kept in a dict by role, but the rising momentum is written into the "adam" entry, whose groups have no momentum the update reads; negative.
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


net = torch.nn.Sequential(torch.nn.Embedding(1000, 64), torch.nn.Linear(64, 64), torch.nn.Linear(64, 1000))
optimizers_by_role = {
    "adam": torch.optim.Adam(list(net[0].parameters()) + list(net[2].parameters()), lr=0.01),
    "ortho": OrthoSGD(net[1].parameters(), lr=0.02, momentum=0.95),
}
for it in range(2000):
    net(torch.randint(0, 1000, (8, 16))).float().mean().backward()
    ramp = min(it / 300, 1)
    for group in optimizers_by_role["adam"].param_groups:
        group["momentum"] = 0.85 + ramp * 0.10
    for o in optimizers_by_role.values():
        o.step()
        o.zero_grad()
