# example: config dict holds adam_lr = 2 * 0.0018 and muon_ratio = 0.1; the Muon lr is computed as their product; positive (both values must be folded).
import torch
import torch.nn as nn

CFG = {
    "adam_lr": 2 * 0.0018,
    "muon_ratio": 0.1,
    "betas": (0.9, 0.95),
}


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("b", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, S, V = torch.svd(buf)
                p.sub_(group["lr"] * (U @ V.T) * max(p.size(0), p.size(1)) ** 0.5)


head = nn.Linear(768, 50304, bias=False)
hidden = nn.ModuleList([nn.Linear(768, 3072, bias=False), nn.Linear(3072, 768, bias=False)])
muon_lr = CFG["adam_lr"] * CFG["muon_ratio"]
optimizers = [
    torch.optim.AdamW([{"params": head.parameters()}], lr=CFG["adam_lr"], betas=CFG["betas"], weight_decay=0.0),
    Muon(hidden.parameters(), lr=muon_lr),
]
