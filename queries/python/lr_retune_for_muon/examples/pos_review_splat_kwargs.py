# example: optimizer settings in two kwargs dicts, ADAM_KWARGS lr=3.6e-3 and MUON_KWARGS lr=3.6e-4, unpacked into AdamW and a Newton-Schulz optimizer; positive (values reach constructors through **kwargs).
import torch
import torch.nn as nn

ADAM_KWARGS = dict(lr=3.6e-3, betas=(0.9, 0.95), weight_decay=0.0)
MUON_KWARGS = dict(lr=3.6e-4, momentum=0.95)


def ns5(G, steps=5):
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
                buf = self.state[p].setdefault("m", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = ns5(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(g.type_as(p), alpha=-group["lr"] * max(p.shape) ** 0.5)


embed = nn.Embedding(50304, 768)
hidden = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
optimizers = [torch.optim.AdamW(embed.parameters(), **ADAM_KWARGS), Muon(hidden.parameters(), **MUON_KWARGS)]
