# example: a notebook export keeps its rates in a dict made in the first cell (the record-3 pair, 0.0018 with Muon at 10x); a later sweep cell rewrites the entries in place (`RATES["base"] = 0.0036`, `RATES["orth_mult"] = 0.1`) before the optimizer cell reads them: AdamW 0.0036, Muon 0.00036; positive.
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
                p.add_(X * max(X.size(0), X.size(1)) ** 0.5, alpha=-group["lr"])



# %%
RATES = {"base": 0.0018, "orth_mult": 10.0, "warmup": 250}

# %% [markdown]
# Sweep: with unit-RMS orthogonal updates the blocks want a tenth of the head's rate.

# %%
RATES["base"] = 0.0036
RATES["orth_mult"] = 0.1

# %%
model = nn.ModuleDict(dict(head=nn.Linear(768, 50304, bias=False), body=nn.Linear(768, 768)))
head_opt = torch.optim.AdamW(model["head"].parameters(), lr=RATES["base"], betas=(0.9, 0.95), weight_decay=0)
body_opt = Muon(model["body"].parameters(), lr=RATES["orth_mult"] * RATES["base"], momentum=0.95)
