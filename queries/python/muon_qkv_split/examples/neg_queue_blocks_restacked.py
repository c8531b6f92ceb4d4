# example: near miss - the fused QKV gradient's blocks go onto a deque, but all three are popped and concatenated back into the (3d, d) matrix before a single orthogonalization, so Q, K and V are orthogonalized together; negative.
import torch
import torch.nn as nn
from collections import deque


def ns5(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return (X.T if G.size(0) > G.size(1) else X).to(G.dtype)


def per_block(G):
    rows, cols = G.shape
    if rows != 3 * cols:
        return ns5(G)
    queue = deque(G.split(cols))
    return ns5(torch.cat([queue.popleft() for _ in range(3)]))


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(per_block(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


class Attn(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)


layers = nn.ModuleList(Attn() for _ in range(12))
opt = Muon(layers.parameters())
