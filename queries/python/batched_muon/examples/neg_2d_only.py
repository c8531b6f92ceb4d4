# example: Newton-Schulz asserts a 2-D input, uses .T and a global norm, and Muon only takes params with ndim == 2; NOT batched.
import torch
from torch import nn


def zeropower_via_newtonschulz5(G, steps):
    assert len(G.shape) == 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    if G.size(0) > G.size(1):
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X


blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
hidden_matrix_params = [p for p in blocks.parameters() if p.ndim == 2]
