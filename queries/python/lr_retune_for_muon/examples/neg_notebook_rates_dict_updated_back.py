# example: near miss - the rates dict is made with the retuned pair (0.0036, Muon at a tenth), but a later cell updates it back to the record-3 values (0.0018, Muon at 10x) before the optimizer cell reads it; NOT present.
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
RATES = {"base": 0.0036, "orth_mult": 0.1, "warmup": 250}

# %% [markdown]
# The retuned pair diverged at step 900: back to the rates that trained.

# %%
RATES.update(base=0.0018, orth_mult=10.0)

# %%
model = nn.ModuleDict(dict(head=nn.Linear(768, 50304, bias=False), body=nn.Linear(768, 768)))
head_opt = torch.optim.AdamW(model["head"].parameters(), lr=RATES["base"], betas=(0.9, 0.95), weight_decay=0)
body_opt = Muon(model["body"].parameters(), lr=RATES["orth_mult"] * RATES["base"], momentum=0.95)
