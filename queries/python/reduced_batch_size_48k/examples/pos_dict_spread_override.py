# example: terse style; a base dict holds the old 64K length and the run's namespace is built from it with the
# length overridden after the spread (`NS(**{**H0, "T": 48 * 1024, "n": 1770})`); each GPU's slice is H.T; positive.
from types import SimpleNamespace as NS

import torch

H0 = dict(T=64 * 1024, n=1393, lr=0.05)
H = NS(**{**H0, "T": 48 * 1024, "n": 1770})


def train(model, stream: torch.Tensor, opt, rank: int, world: int):
    p = rank * H.T
    for step in range(H.n):
        b = stream[p: p + H.T + 1]
        model(b[:-1].cuda().int(), b[1:].cuda().long()).backward()
        opt.step(); opt.zero_grad(set_to_none=True)
        p += world * H.T
