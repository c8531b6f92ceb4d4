# example: the head's AdamW is built inside a transformation factory from a rate that may be a schedule (`schedule = rate if callable(rate) else fixed(rate)`, then `AdamW(params, lr=schedule(0))`), given a lambda holding 0.0036 times a multiplier; the orthogonalizing optimizer gets 0.00036; positive.
import torch
import torch.nn as nn

def fixed(value):
    return lambda t: value

def newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X

class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(newton_schulz(p.grad).to(p.dtype), alpha=-group["lr"])

def torch_adamw_link(rate, betas=(0.9, 0.95)):
    schedule = rate if callable(rate) else fixed(rate)
    def init(params):
        return torch.optim.AdamW(params, lr=schedule(0), betas=betas, weight_decay=0.0, fused=True)
    def update(opt, count):
        opt.param_groups[0]["lr"] = schedule(count)
        opt.step()
    return init, update

base_rate = 0.0036
multiplier = lambda t: 1.0 if t < 3000 else (5000 - t) / 2000
net = nn.ModuleDict(dict(head=nn.Linear(64, 1000, bias=False), body=nn.Linear(64, 64, bias=False)))
init, update = torch_adamw_link(lambda t: base_rate * multiplier(t))
head_opt = init(net["head"].parameters())
body_opt = Orthogonal(net["body"].parameters(), lr=0.1 * base_rate)
for t in range(5000):
    update(head_opt, t)
    body_opt.step()
