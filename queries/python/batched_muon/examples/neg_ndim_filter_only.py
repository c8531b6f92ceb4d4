# example: Muon admits params with ndim >= 2 and the NS routine transposes with .mT, but it normalizes with a global norm() over the whole stack, so slices are not orthogonalized independently; NOT batched (near miss).
import torch


def zeropower(G, steps=5):
    X = G.bfloat16()
    if G.size(-2) > G.size(-1):
        X = X.mT
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.mT if G.size(-2) > G.size(-1) else X


def hidden_params(model):
    return [p for p in model.parameters() if p.ndim >= 2]
