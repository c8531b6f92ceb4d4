# example: the optimizer's step hands the Newton-Schulz function (picked from a table) to a static helper that calls
# it per row block; the model's configure_optimizers returns a named list and the loop writes a 0.85 -> 0.95 ramp
# into `matrix_opt = optimizers[1]`, the model reached through `raw_model = model.module`; positive.
import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP


def newton_schulz(g, steps=5):
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(steps):
        a = x @ x.T
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x.to(g.dtype)


backends = dict(ns=newton_schulz)


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="ns"):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend))

    @staticmethod
    def _blockwise(g, fn, blocks):
        return torch.cat([fn(part) for part in g.chunk(blocks, dim=0)], dim=0)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            orth = backends[group["backend"]]
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(self._blockwise(buf, orth, getattr(p, "blocks", 1)), alpha=-group["lr"])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 64)
        self.mid = nn.Linear(64, 64, bias=False)

    def forward(self, x):
        return self.mid(self.emb(x)).float().pow(2).mean()

    def configure_optimizers(self):
        adam = torch.optim.Adam(self.emb.parameters(), lr=0.3)
        ortho = Ortho(self.mid.parameters())
        optimizers = [adam, ortho]
        return optimizers


model = DDP(Net().cuda())
raw_model = model.module
optimizers = raw_model.configure_optimizers()
matrix_opt = optimizers[1]
for step in range(2000):
    model(torch.randint(0, 1000, (8, 16), device="cuda")).backward()
    frac = min(step / 500, 1)
    for group in matrix_opt.param_groups:
        group["momentum"] = (1 - frac) * 0.85 + frac * 0.95
    for opt in optimizers:
        opt.step()
    model.zero_grad(set_to_none=True)
