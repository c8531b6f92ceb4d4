# example: the same table and comprehension, but the "scalars" row also names the orthogonalizing optimizer, so no Adam takes the scalars; NOT present.
import torch
from torch import nn


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


OPTIMIZER_CONFIG = {
    "matrices": {"class_name": "Muon", "config": {"learning_rate": 0.02}},
    "scalars": {"class_name": "Muon", "config": {"learning_rate": 0.02}},
}


def get_optimizer(identifier, params):
    name = identifier["class_name"].lower()
    lr = identifier["config"]["learning_rate"]
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.95))
    if name == "muon":
        return Muon(params, lr=lr)
    raise ValueError(name)


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)
        self.gain = nn.Parameter(torch.ones(()))


blocks = nn.ModuleList(Block() for _ in range(12))
roles = {"matrices": [p for p in blocks.parameters() if p.ndim == 2], "scalars": [p for p in blocks.parameters() if p.ndim < 2]}
optimizers = {role: get_optimizer(spec, roles[role]) for role, spec in OPTIMIZER_CONFIG.items()}
