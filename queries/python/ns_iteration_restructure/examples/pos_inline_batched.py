# example: batched version with .mT where the whole update is one line, X = a * X + (b * A + c * (A @ A)) @ X; positive (inlined grouping, batched transpose).
import torch


def newton_schulz(G: torch.Tensor, steps: int = 5) -> torch.Tensor:
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    wide = G.size(-2) <= G.size(-1)
    if not wide:
        X = X.mT
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + (b * A + c * (A @ A)) @ X
    return X if wide else X.mT


class BatchedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                m.lerp_(p.grad, 1 - g["momentum"])
                p.add_(newton_schulz(p.grad.lerp(m, g["momentum"])).type_as(p), alpha=-g["lr"])


opt = BatchedMuon([torch.nn.Parameter(torch.randn(3, 768, 768))])
