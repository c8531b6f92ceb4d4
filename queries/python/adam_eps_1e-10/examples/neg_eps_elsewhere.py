# example: 1e-10 is the epsilon of the Newton-Schulz normalization and of rms_norm, while Adam keeps eps=1e-8; NOT present (near miss for a value matcher).
import torch
from torch import nn
import torch.nn.functional as F


def zeropower(G, steps=5, eps=1e-10):
    X = G.bfloat16() / (G.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


def norm(x):
    return F.rms_norm(x, (x.size(-1),), eps=1e-10)


lm_head = nn.Linear(768, 50304, bias=False)
optimizer1 = torch.optim.Adam(lm_head.parameters(), lr=0.008, betas=(0.8, 0.95), eps=1e-8)
