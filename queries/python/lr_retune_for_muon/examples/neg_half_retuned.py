# example: near miss - AdamW gets 0.0036 (the literal a text matcher looks for) but Muon keeps 10x the old base, and 0.1 only appears in a comment; negative (the pair does not match).
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


adam_lr = 0.0036
old_base = 0.0018
head = nn.Linear(768, 50257, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
opt_head = torch.optim.AdamW(head.parameters(), lr=adam_lr, betas=(0.9, 0.95), weight_decay=0)
opt_blocks = Muon(blocks.parameters(), lr=10 * old_base)  # TODO try 0.1 * adam_lr
