# example: A helper returns the groups as a dictionary keyed by role, but the roles are handed out the wrong way round: Muon gets the small tensors and Adam the matrices; NOT present.
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


def role_groups(stack):
    owned = list(stack.parameters())
    return {
        "mats": {"params": [p for p in owned if p.dim() == 2], "lr": 0.02},
        "smalls": {"params": [p for p in owned if p.dim() < 2], "lr": 0.02},
    }


groups = role_groups(blocks)
muon = Muon([groups["smalls"]], momentum=0.95)
adam = torch.optim.Adam([groups["mats"]], betas=(0.9, 0.95))
