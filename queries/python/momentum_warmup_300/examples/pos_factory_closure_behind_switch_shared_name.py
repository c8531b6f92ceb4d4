# example: the closure a factory made is kept in a module name under a decided switch (`ramp_at = make_ramp(hp) if USE_RAMP else None`) while a class has a field of the same name; the momentum handed to the orthogonalized update rises from 0.85 to 0.95 over 300 steps; positive.
from typing import NamedTuple
import torch


def polar(m, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = m.bfloat16() / (m.norm() + 1e-7)
    for _ in range(iters):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x.to(m.dtype)


def ortho_apply(tensors, buffers, lr, momentum):
    for w, buf in zip(tensors, buffers):
        buf.mul_(momentum).add_(w.grad)
        w.data.add_(polar(w.grad.add(buf, alpha=momentum)), alpha=-lr)


class HP(NamedTuple):
    mom_lo: float = 0.85
    mom_hi: float = 0.95
    ramp: int = 300


hp = HP()


def make_ramp(h):
    return lambda step: h.mom_lo + (h.mom_hi - h.mom_lo) * min(step / h.ramp, 1)


USE_RAMP = True
ramp_at = make_ramp(hp) if USE_RAMP else None


class Logger:
    def __init__(self):
        self.ramp_at = None  # a field of the same name, set elsewhere, is not the module's closure
net = torch.nn.Linear(64, 64)
hidden = [net.weight]
buffers = [torch.zeros_like(net.weight)]
for step in range(1000):
    net(torch.randn(8, 64)).sum().backward()
    ortho_apply(hidden, buffers, 0.02, ramp_at(step))
