# example: every parameter of the blocks (including the 1-D lambdas) is handed to Muon, no shape-based routing; negative.
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                X = buf.view(buf.size(0), -1) if buf.ndim > 1 else buf.view(1, -1)
                U, _, Vh = torch.linalg.svd(X, full_matrices=False)
                p.add_((U @ Vh).view_as(p), alpha=-group["lr"])


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))


h = nn.ModuleList(Block() for _ in range(12))
optimizer3 = Muon(h.parameters(), lr=0.02, momentum=0.95)
