# example: the optimizer class is picked by name from a spec table (`globals().get(spec["cls"]) or getattr(torch.optim, spec["cls"])`) and the spec names "Adam" with eps 1e-10, but the file defines its own `Adam`, which `globals()` finds first, and it is an RMSprop (no first moment); negative.
import torch
from torch import nn


class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, beta2=0.95, eps=1e-8):
        super().__init__(params, dict(lr=lr, beta2=beta2, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                v.mul_(group["beta2"]).addcmul_(p.grad, p.grad, value=1 - group["beta2"])
                p.addcdiv_(p.grad, v.sqrt().add_(group["eps"]), value=-group["lr"])


model = nn.Sequential(nn.Embedding(1024, 256), nn.Linear(256, 1024, bias=False))
SPECS = {
    "embed": dict(cls="Adam", kwargs=dict(lr=0.6, eps=1e-10)),
    "head": dict(cls="SGD", kwargs=dict(lr=0.05, momentum=0.9)),
}
params = {"embed": [model[0].weight], "head": [model[1].weight]}
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
