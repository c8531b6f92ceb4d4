# example: three torch.optim.Adam optimizers without any weight_decay keyword (Adam's default is 0) plus a decay-free Muon-like class; positive (decay absent by default).
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                m.mul_(group["momentum"]).add_(p.grad)
                p.add_(torch.sign(m), alpha=-group["lr"])  # stand-in for the orthogonalized update


wte = nn.Embedding(50304, 768)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
lm_head = nn.Linear(768, 50304, bias=False)

optimizer1 = torch.optim.Adam([wte.weight], lr=0.3, betas=(0.9, 0.95), fused=True)
optimizer2 = torch.optim.Adam([lm_head.weight], lr=0.002, betas=(0.9, 0.95), fused=True)
optimizer3 = Muon(blocks.parameters(), lr=0.02, momentum=0.95)
optimizers = [optimizer1, optimizer2, optimizer3]
