# example: the orthogonalizing optimizer's __init__ keeps only matrices (p.ndim >= 2) of the full block parameter list it is given, while an Adam param group gets [p for p in block_params if p.ndim < 2]; positive (the matrix filter lives inside the optimizer).
import torch
import torch.nn as nn


def orthogonalize(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class MatrixMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        params = [p for p in params if p.ndim >= 2]
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


class Block(nn.Module):
    def __init__(self, d=512):
        super().__init__()
        self.fc1 = nn.Linear(d, 4 * d, bias=False)
        self.fc2 = nn.Linear(4 * d, d, bias=False)
        self.gains = nn.Parameter(torch.ones(2))


emb = nn.Embedding(50304, 512)
blocks = nn.ModuleList(Block() for _ in range(8))
block_params = list(blocks.parameters())
adam = torch.optim.Adam(
    [
        dict(params=[emb.weight], lr=0.3),
        dict(params=[p for p in block_params if p.ndim < 2], lr=0.02),
    ],
    betas=(0.8, 0.95),
)
matrix_opt = MatrixMomentum(block_params, lr=0.05)
