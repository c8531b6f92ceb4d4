# example: a trainer hook on_step_start(step) called every iteration blends momentum (1 - frac) * 0.85 + frac * 0.95 with frac = min(step / warmup, 1) into the Muon param groups; positive.
import torch


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"])


class Trainer:
    def __init__(self, model, warmup=300):
        self.model = model
        self.warmup = warmup
        self.muon = Muon([p for p in model.parameters() if p.ndim == 2])

    def on_step_start(self, step):
        frac = min(step / self.warmup, 1.0)
        for group in self.muon.param_groups:
            group["momentum"] = (1 - frac) * 0.85 + frac * 0.95

    def fit(self, steps):
        for step in range(steps):
            self.on_step_start(step)
            self.model(torch.randn(4, 256)).square().mean().backward()
            self.muon.step()
            self.model.zero_grad(set_to_none=True)


Trainer(torch.nn.Linear(256, 256, bias=False)).fit(1000)
