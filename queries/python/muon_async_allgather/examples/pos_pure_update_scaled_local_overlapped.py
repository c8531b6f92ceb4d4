# example: a pure Muon update function whose orthogonalized result is rescaled in a second assignment before it is returned with the new momentum (u = newton_schulz(g); u = u * scale; return u, buf), driven by a function that launches each round's asynchronous all_gather and lands the previous round only afterwards; positive.
import torch
import torch.distributed as dist


def newton_schulz(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x


def muon_update(grad, buf, *, momentum):
    new_buf = torch.lerp(buf, grad, 1 - momentum)
    g = torch.lerp(grad, new_buf, momentum)
    u = newton_schulz(g)
    u = u * max(1, g.size(0) / g.size(1)) ** 0.5
    return u, new_buf


def overlapped_step(weights, grads, bufs, slots, *, lr, momentum, rank, world):
    pending = None

    def land(item):
        work, targets = item
        work.wait()
        torch._foreach_add_(targets, [s.view_as(t) for s, t in zip(slots, targets)], alpha=-lr)

    for start in range(0, len(weights), world):
        targets = weights[start:start + world]
        j = min(start + rank, len(weights) - 1)
        u, bufs[j] = muon_update(grads[j], bufs[j], momentum=momentum)
        if pending is not None:
            land(pending)
        work = dist.all_gather(slots, u.flatten(), async_op=True)
        pending = (work, targets)
    if pending is not None:
        land(pending)
    return bufs
