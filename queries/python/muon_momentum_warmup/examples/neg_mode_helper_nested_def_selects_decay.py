# example: functional code: a general schedule helper whose kinds each return a nested `def` written first in its branch, called with `**MOMENTUM_RAMP` whose kind is "linear_decay": the momentum handed to the orthogonalized update falls from 0.95 to 0.85; negative.
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


def make_schedule(kind="linear_ramp", warmup=0, start=1.0, end=1.0):
    if kind == "linear_decay":
        def decay(it):
            frac = min(it / warmup, 1) if warmup > 0 else 1.0
            return (1 - frac) * end + frac * start
        return decay
    elif kind == "linear_ramp":
        def ramp(it):
            frac = min(it / warmup, 1) if warmup > 0 else 1.0
            return (1 - frac) * start + frac * end
        return ramp
    raise ValueError(kind)


MOMENTUM_RAMP = dict(kind="linear_decay", warmup=300, start=0.85, end=0.95)
momentum_at = make_schedule(**MOMENTUM_RAMP)
net = torch.nn.Linear(64, 64)
hidden = [net.weight]
buffers = [torch.zeros_like(net.weight)]
for step in range(1000):
    net(torch.randn(8, 64)).sum().backward()
    ortho_apply(hidden, buffers, 0.02, momentum_at(step))
