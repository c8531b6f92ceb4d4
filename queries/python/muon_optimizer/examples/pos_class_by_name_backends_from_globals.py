# example: the optimizer class is picked by name from a spec table (`cls = globals().get(spec["cls"]) or getattr(torch.optim, spec["cls"])`), and its step takes its update from a table filtered out of `globals()` by name prefix, whose functions all orthogonalize (Newton-Schulz, SVD); positive.
import torch
from torch import nn


def _orth_newton_schulz(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X.to(G.dtype)


def _orth_svd(G, steps=None):
    U, S, V = G.svd()
    return U @ V.T


BACKENDS = {n[len("_orth_"):]: f for n, f in globals().items() if n.startswith("_orth_") and callable(f)}


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="newton_schulz"):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            orth = BACKENDS[group["backend"]]
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orth(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


model = nn.Sequential(nn.Embedding(1024, 256), nn.Linear(256, 256, bias=False), nn.Linear(256, 1024, bias=False))
SPECS = {
    "hidden": dict(cls="OrthoMomentum", kwargs=dict(lr=0.02, momentum=0.95)),
    "other": dict(cls="AdamW", kwargs=dict(lr=0.008, betas=(0.9, 0.95))),
}
params = {"hidden": [model[1].weight], "other": [model[0].weight, model[2].weight]}
optimizers = []
for role, spec in SPECS.items():
    cls = globals().get(spec["cls"]) or getattr(torch.optim, spec["cls"])
    optimizers.append(cls(params[role], **spec["kwargs"]))

for step in range(100):
    tokens = torch.randint(0, 1024, (8, 64))
    loss = nn.functional.cross_entropy(model(tokens).flatten(0, 1), tokens.flatten())
    loss.backward()
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
