# example: parameters picked by name patterns through a helper (`pick("transformer.wte.*")` filters `named_parameters()` with `fnmatch`), one Adam per row of a (group, params) table built in a loop with `lr=hp[f"{gname}.lr"]` read from a string-keyed table; embed 0.6, head 0.008, scalars 0.04, Muon 0.04; positive.
import fnmatch
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                X = p.grad / (p.grad.norm() + 1e-7)
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.add_(X, alpha=-group["lr"])


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768),
                                              h=nn.ModuleList([nn.Linear(768, 768) for _ in range(4)])))
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx):
        x = self.transformer.wte(idx)
        for block in self.transformer.h:
            x = x + block(x)
        return self.lm_head(x)


hp = {"embed.lr": 0.6, "head.lr": 0.008, "scalar.lr": 0.04, "matrix.lr": 0.04}
model = GPT()
named = dict(model.named_parameters())


def pick(pattern, pred=lambda p: True):
    return [p for n, p in named.items() if fnmatch.fnmatch(n, pattern) and pred(p)]


adam_rows = [
    ("embed", pick("transformer.wte.*")),
    ("head", pick("lm_head.*")),
    ("scalar", pick("transformer.h.*", lambda p: p.ndim < 2)),
]
optimizers = []
for gname, plist in adam_rows:
    optimizers.append(torch.optim.Adam(plist, lr=hp[f"{gname}.lr"], betas=(0.9, 0.95)))
optimizers.append(Muon(pick("transformer.h.*", lambda p: p.ndim == 2), lr=hp["matrix.lr"]))
for step in range(3):
    model(torch.randint(0, 50304, (2, 8))).float().logsumexp(-1).mean().backward()
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
