# example: the ndim == 2 block parameters are regrouped by size with a helper of the file (a loop appending each to its size's list, no test on them) before Muon takes the groups; the ndim < 2 ones go to Adam; positive.
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
                U, _, Vh = torch.linalg.svd(buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.lamb = nn.Parameter(torch.tensor(0.5))


blocks = nn.ModuleList(Block() for _ in range(12))
all_block_params = list(blocks.parameters())
matrices = [t for t in all_block_params if t.ndim == 2]
scalars = [t for t in all_block_params if t.ndim < 2]


def by_size(tensors):
    groups = {}
    for t in tensors:
        groups.setdefault(t.numel(), []).append(t)
    return [dict(params=g) for g in groups.values()]


muon_opt = Muon(by_size(matrices), lr=0.02, momentum=0.95)
scalar_opt = torch.optim.Adam(scalars, lr=0.02, betas=(0.9, 0.95), fused=True)
