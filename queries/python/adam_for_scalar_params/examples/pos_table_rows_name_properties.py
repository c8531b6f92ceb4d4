# example: optimizers built from a module-level table whose rows name a property of the model (`getattr(model, params_attr)`); the properties select parameters by rank (`p.ndim == 2` / `p.ndim < 2`, one delegating to the trunk's), the matrix row gets the orthogonalizing optimizer and the scalar row Adam; positive.
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


class Trunk(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(12))
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    @property
    def matrix_params(self):
        return [p for p in self.parameters() if p.ndim == 2]

    @property
    def scalar_params(self):
        return [p for p in self.parameters() if p.ndim < 2]


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = Trunk()

    @property
    def matrix_params(self):
        return self.trunk.matrix_params

    @property
    def scalar_params(self):
        return self.trunk.scalar_params


OPTIMIZER_TABLE = (
    ("matrix", "matrix_params", "muon", 0.02),
    ("scalar", "scalar_params", "adam", 0.04),
)


def build_optimizers(model):
    optimizers = {}
    for role, params_attr, kind, lr in OPTIMIZER_TABLE:
        params = getattr(model, params_attr)
        if kind == "muon":
            optimizers[role] = Muon(params, lr=lr, momentum=0.95)
        else:
            optimizers[role] = torch.optim.Adam(params, lr=lr, betas=(0.8, 0.95))
    return optimizers


optimizers = build_optimizers(GPT())
