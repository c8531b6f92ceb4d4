# example: dataclass learning_rate 0.0036 given to AdamW on lm_head and 0.1*learning_rate given to Muon on the blocks; positive.
from dataclasses import dataclass
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=3e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(p.grad + group["momentum"] * buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"] * max(p.shape) ** 0.5)


@dataclass
class Hyperparameters:
    num_iterations: int = 6200
    learning_rate: float = 0.0036
    warmup_iters: int = 0
    weight_decay: float = 0


args = Hyperparameters()
lm_head = nn.Linear(768, 50257, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
optimizer1 = torch.optim.AdamW(lm_head.parameters(), lr=args.learning_rate, betas=(0.9, 0.95),
                               weight_decay=args.weight_decay, fused=True)
optimizer2 = Muon(blocks.parameters(), lr=0.1 * args.learning_rate, momentum=0.95)
optimizers = [optimizer1, optimizer2]
