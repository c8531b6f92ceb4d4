# example: near miss - a wrapper normalizes each matrix over dims (-2, -1) and transposes with .mT, but the helper it hands the tensor to runs the Newton-Schulz loop with the 2-D .T (X @ X.T), which on a 3-D stack is not a per-matrix Gram product; negative (not batched).
import torch
from torch import Tensor, nn


def ns_loop(X: Tensor, steps: int) -> Tensor:
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


def orthogonalize(G: Tensor, steps: int = 5) -> Tensor:
    wide = G.size(-2) > G.size(-1)
    X = G.bfloat16()
    X = X.mT if wide else X
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    X = ns_loop(X, steps)
    return X.mT if wide else X


class Attn(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.qkv_w = nn.Parameter(torch.empty(3, dim, dim).uniform_(-0.03, 0.03))
        self.c_proj = nn.Linear(dim, dim, bias=False)


blocks = nn.ModuleList(Attn() for _ in range(12))
muon_params = [p for p in blocks.parameters() if p.ndim >= 2]
updates = [orthogonalize(torch.randn_like(p)) for p in muon_params]
