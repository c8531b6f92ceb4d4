# example: the same factory and computed table, but the head's gain is 1, so its rate stays at the old 0.002; negative (not every rate doubled).

import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                U, _, Vh = torch.linalg.svd(p.grad, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


tok = nn.Embedding(50304, 768)
layers = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
gates = nn.Parameter(torch.ones(12))
unembed = nn.Linear(768, 50304, bias=False)

old_rates = {"tok": 0.3, "unembed": 0.002, "mat": 0.02, "gates": 0.02}
gain = {"tok": 2.0, "unembed": 1.0, "mat": 2.0, "gates": 2.0}
rates = {part: old_rates[part] * gain[part] for part in old_rates}

make_adam = lambda group, rate: torch.optim.Adam(group, lr=rate, betas=(0.8, 0.95), eps=1e-10)

opt_tok = make_adam([tok.weight], rates["tok"])
opt_head = make_adam([unembed.weight], rates["unembed"])
opt_gates = make_adam([gates], rates["gates"])
opt_mat = Muon([p for p in layers.parameters() if p.ndim == 2], lr=rates["mat"])
