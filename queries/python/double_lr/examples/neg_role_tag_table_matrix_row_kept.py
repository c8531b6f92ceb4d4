# example: near miss - the same role-tagged table and optimizer, but the matrices row keeps half the base (0.04 * 0.5 = 0.02, the old Muon rate) while the Adam rows double; negative (not every rate is doubled).
import torch
import torch.nn as nn

BASE_RATE = 0.04

ROWS = {
    "tok": {"opt": "adam", "lr_scale": 15.0},
    "out": {"opt": "adam", "lr_scale": 0.2},
    "blk": {"opt": "orthogonal", "lr_scale": 0.5},
    "gain": {"opt": "adam", "lr_scale": 1.0},
}


def newton_schulz(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        a = x @ x.T
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.gains = nn.Parameter(torch.ones(depth))
        self.out = nn.Linear(dim, vocab, bias=False)
        setattr(self.tok.weight, "role", "tok")
        setattr(self.out.weight, "role", "out")
        setattr(self.gains, "role", "gain")
        for block in self.blocks:
            setattr(block.weight, "role", "blk")

    def forward(self, idx):
        x = self.tok(idx)
        for g, block in zip(self.gains, self.blocks):
            x = x + g * block(x)
        return self.out(x)


class RowOptimizer:
    def __init__(self, model, base):
        self.slots = []
        for p in model.parameters():
            row = ROWS[p.role]
            self.slots.append(dict(p=p, opt=row["opt"], lr=base * row["lr_scale"], m=torch.zeros_like(p), v=torch.zeros_like(p)))

    @torch.no_grad()
    def step(self):
        for s in self.slots:
            p = s["p"]
            if s["opt"] == "adam":
                s["m"].lerp_(p.grad, 0.1)
                s["v"].lerp_(p.grad.square(), 0.05)
                p.sub_(s["lr"] * s["m"] / (s["v"].sqrt() + 1e-8))
            else:
                s["m"].mul_(0.95).add_(p.grad)
                p.sub_(s["lr"] * newton_schulz(s["m"]))


net = Net()
opt = RowOptimizer(net, BASE_RATE)
for step in range(3):
    net(torch.randint(0, 50304, (2, 16))).float().logsumexp(-1).mean().backward()
    opt.step()
