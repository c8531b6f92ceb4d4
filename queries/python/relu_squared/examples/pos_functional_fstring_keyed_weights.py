# example: a functional MLP over weights kept in a dict keyed by f-strings, applied transposed, with a squared
# ReLU between the two products; positive.
import torch
import torch.nn.functional as F


def make(d=256, depth=3):
    ps = {}
    for j in range(depth):
        ps[f"mlp{j}_in"] = torch.randn(4 * d, d) * 0.02
        ps[f"mlp{j}_out"] = torch.randn(d, 4 * d) * 0.02
    return ps


def run(ps, x, depth=3):
    for j in range(depth):
        h = F.rms_norm(x, (x.size(-1),))
        x = x + F.relu(h @ ps[f"mlp{j}_in"].t()).square() @ ps[f"mlp{j}_out"].t()
    return x


weights = make()
out = run(weights, torch.randn(2, 16, 256))
