# example: Every optimizer is first built over all of its parameters; a set-up pass then walks a dictionary of optimizers, trims the orthogonalizing one's groups to matrices (picked by an isinstance test) and hands what it removed to a new Adam; positive.
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
        self.gates = nn.Parameter(torch.tensor([1.0, 0.0]))


blocks = nn.ModuleList(Block() for _ in range(12))
optimizers = {"blocks": Muon(blocks.parameters(), lr=0.02, momentum=0.95)}


def settle(optimizers):
    leftovers = []
    for name, opt in list(optimizers.items()):
        if not isinstance(opt, Muon):
            continue
        for group in opt.param_groups:
            keep = [p for p in group["params"] if len(p.shape) == 2]
            leftovers.extend(p for p in group["params"] if len(p.shape) != 2)
            group["params"] = keep
    optimizers["small"] = torch.optim.Adam([p for p in blocks.parameters() if p.ndim < 2], lr=0.02, betas=(0.9, 0.95))


settle(optimizers)
