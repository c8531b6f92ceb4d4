# example: near miss - the 48K entry comes BEFORE the spread of the base dict (`{"T": 48 * 1024, **H0}`), so H0's
# 64K length replaces it and each GPU still trains on 65,536 tokens; NOT present.
from types import SimpleNamespace as NS

import torch

H0 = dict(T=64 * 1024, n=1393, lr=0.05)
H = NS(**{"T": 48 * 1024, "n": 1770, **H0})


def train(model, stream: torch.Tensor, opt, rank: int, world: int):
    p = rank * H.T
    for step in range(H.n):
        b = stream[p: p + H.T + 1]
        model(b[:-1].cuda().int(), b[1:].cuda().long()).backward()
        opt.step(); opt.zero_grad(set_to_none=True)
        p += world * H.T
