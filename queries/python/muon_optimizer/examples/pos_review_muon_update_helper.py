# example: newer-style Muon: a muon_update(grad, momentum) helper (lerp momentum, Nesterov lerp, Newton-Schulz with X.mT in bf16) used by a MatrixSGD optimizer subclass over hidden matrices; positive.
import torch
import torch.nn as nn


def newton_schulz(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    if G.size(-2) > G.size(-1):
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + eps)
    for _ in range(steps):
        A = X @ X.mT
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(-2) > G.size(-1):
        X = X.mT
    return X


def muon_update(grad, momentum, beta=0.95, ns_steps=5):
    momentum.lerp_(grad, 1 - beta)
    update = grad.lerp_(momentum, beta)
    update = newton_schulz(update, steps=ns_steps)
    return update * max(1, grad.size(-2) / grad.size(-1)) ** 0.5


class MatrixSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["momentum_buffer"] = torch.zeros_like(p)
                update = muon_update(p.grad, state["momentum_buffer"], beta=group["momentum"])
                p.add_(update.reshape(p.shape), alpha=-group["lr"])


model = nn.Sequential(nn.Embedding(50304, 512), nn.Linear(512, 512, bias=False), nn.Linear(512, 50304, bias=False))
hidden = [p for p in model[1].parameters() if p.ndim == 2]
rest = list(model[0].parameters()) + list(model[2].parameters())
optimizers = [MatrixSGD(hidden, lr=0.05), torch.optim.Adam(rest, lr=3e-3, betas=(0.9, 0.95))]
