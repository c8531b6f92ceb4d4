# example: Newton-Schulz accepts G.ndim >= 2, uses .mT, size(-2)/size(-1) and per-matrix norms over dims (-2, -1), and Muon takes params with ndim >= 2 (the stacked qkv); batched Muon present.
import torch
from torch import Tensor, nn

COEFFS = (3.4445, -4.7750, 2.0315)


@torch.compile
def orthogonalize(G: Tensor, steps: int) -> Tensor:
    assert G.ndim >= 2  # leading dims are a batch of matrices
    a, b, c = COEFFS
    wide_first = G.size(-2) > G.size(-1)
    X = G.bfloat16()
    if wide_first:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        gram = X @ X.mT
        X = a * X + (b * gram + c * gram @ gram) @ X
    return X.mT if wide_first else X


class Attn(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.qkv_w = nn.Parameter(torch.empty(3, dim, dim).uniform_(-0.03, 0.03))
        self.c_proj = nn.Linear(dim, dim, bias=False)


blocks = nn.ModuleList(Attn() for _ in range(12))
muon_params = [p for p in blocks.parameters() if p.ndim >= 2]
updates = [orthogonalize(torch.randn_like(p), steps=5) for p in muon_params]
