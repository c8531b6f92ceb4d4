# example: the orthogonalizer normalizes each matrix of the stack (norm over dims (-2, -1)) and transposes with .mT, then hands the stack to a recursive helper doing the quintic rounds with X @ X.mT; Muon takes params with ndim >= 2; batched Muon present (routine split into wrapper + recursive helper).
import torch
from torch import Tensor, nn


def rounds(X: Tensor, left: int) -> Tensor:
    if left <= 0:
        return X
    gram = X @ X.mT
    return rounds(3.4445 * X + (-4.7750 * gram + 2.0315 * gram @ gram) @ X, left - 1)


def orthogonalize(G: Tensor, steps: int = 5) -> Tensor:
    wide = G.size(-2) > G.size(-1)
    X = G.bfloat16()
    X = X.mT if wide else X
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    X = rounds(X, steps)
    return X.mT if wide else X


class Attn(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.qkv_w = nn.Parameter(torch.empty(3, dim, dim).uniform_(-0.03, 0.03))
        self.c_proj = nn.Linear(dim, dim, bias=False)


blocks = nn.ModuleList(Attn() for _ in range(12))
muon_params = [p for p in blocks.parameters() if p.ndim >= 2]
updates = [orthogonalize(torch.randn_like(p)) for p in muon_params]
