# example: a momentum warmup value is computed every step but only printed; the Muon optimizer keeps its constructor momentum 0.95; negative (never written into the optimizer).
import torch


def ns(G, steps=5):
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
                p.add_(ns(buf).type_as(p), alpha=-group["lr"])


model = torch.nn.Linear(256, 256, bias=False)
opt = Muon(model.parameters(), momentum=0.95)
for step in range(1000):
    frac = min(step / 500, 1)
    suggested = (1 - frac) * 0.85 + frac * 0.95
    if step % 100 == 0:
        print(f"step {step} suggested momentum {suggested:.3f}")
    model(torch.randn(4, 256)).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
