# example: the same Triton apply kernel, but the gain handed to it is the aspect-ratio scale sqrt(max(1, rows / cols)), not sqrt(max(rows, cols)); negative.
import math

import torch
import triton
import triton.language as tl


@triton.jit
def _descend(w_ptr, u_ptr, numel, lr, gain, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    ok = offs < numel
    w = tl.load(w_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    u = tl.load(u_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    tl.store(w_ptr + offs, (w - (lr * gain) * u).to(w_ptr.dtype.element_ty), mask=ok)


def descend_(weight, update, lr, gain):
    update = update.contiguous()
    _descend[(triton.cdiv(weight.numel(), 1024),)](weight, update, weight.numel(), lr, gain, BLOCK=1024)


def newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                buf = self.state[w].setdefault("buf", torch.zeros_like(w))
                buf.mul_(group["momentum"]).add_(w.grad)
                rows, cols = w.shape
                gain = math.sqrt(max(1, rows / cols))
                descend_(w.data, newton_schulz(buf), group["lr"], gain)
