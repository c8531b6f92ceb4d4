# example: the Gram polynomial is written with torch.add(b * A, A @ A, alpha=c), then multiplied once by X;
# positive.
import torch


def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + torch.add(b * A, A @ A, alpha=c) @ X
    return X


update = orthogonalize(torch.randn(256, 512))
