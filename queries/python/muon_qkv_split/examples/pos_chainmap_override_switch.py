# example: the QKV split is switched on by a ChainMap override layer over TypedDict defaults (held read-only in a MappingProxyType) that leave it off; the lookup takes the override, so (3d, d) updates are orthogonalized block by block; positive.
from collections import ChainMap
from types import MappingProxyType
from typing import TypedDict

import torch


def _ns(G, k=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16(); X /= X.norm() + 1e-7; tr = G.size(0) > G.size(1)
    X = X.T if tr else X
    for _ in range(k): A = X @ X.T; X = a * X + (b * A + c * A @ A) @ X
    return (X.T if tr else X).to(G.dtype)


class Spec(TypedDict):
    beta: float
    split_qkv: bool


DEFAULTS = MappingProxyType(Spec(beta=0.9, split_qkv=False))
SPEC = ChainMap({"beta": 0.95, "split_qkv": True}, dict(DEFAULTS))


class Mu(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, spec=SPEC):
        super().__init__(params, dict(lr=lr, beta=spec["beta"], split_qkv=spec["split_qkv"]))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                m.mul_(group["beta"]).add_(p.grad)
                u = p.grad.add(m, alpha=group["beta"])
                rows, cols = u.shape
                if group["split_qkv"] and rows == 3 * cols:
                    u = torch.cat([_ns(block) for block in u.split(cols, dim=0)])
                else:
                    u = _ns(u)
                p.add_(u, alpha=-group["lr"])


opt = Mu([torch.nn.Parameter(torch.randn(2304, 768))])
