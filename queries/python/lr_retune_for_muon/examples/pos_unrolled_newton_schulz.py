# example: the literal pair 3.6e-3 (Adam) and 3.6e-4 (orthogonal optimizer) with the Newton-Schulz rounds written out in the step, no loop; positive (unrolled iteration).
import torch
import torch.nn as nn


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, beta=0.95):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w))
                m.mul_(g["beta"]).add_(w.grad)
                X = m / (m.norm() + 1e-7)
                A = X @ X.T
                X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                A = X @ X.T
                X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                A = X @ X.T
                X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                w.add_(X * max(w.shape) ** 0.5, alpha=-g["lr"])


def setup(model: nn.Module):
    tied = [model.embed.weight]
    hidden = [p for n, p in model.named_parameters() if n.startswith("layers.")]
    return [
        torch.optim.Adam(tied, lr=3.6e-3, betas=(0.9, 0.95)),
        OrthoSGD(hidden, lr=3.6e-4),
    ]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.layers = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))


opts = setup(Net())
