# example: methods of the model return its parameters by rank (`p.ndim == 2` / `p.ndim < 2`); the orthogonalizing optimizer takes model.matrix_params() and Adam model.scalar_params(); positive.
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


class GPT(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.fc = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(12))
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def matrix_params(self):
        return [p for p in self.parameters() if p.ndim == 2]

    def scalar_params(self):
        return [p for p in self.parameters() if p.ndim < 2]


model = GPT()
muon = Muon(model.matrix_params(), lr=0.02, momentum=0.95)
adam = torch.optim.Adam(model.scalar_params(), lr=0.04, betas=(0.8, 0.95))
