# example: the same pure Muon update rescaled in a second assignment, but each round's asynchronous all_gather is waited on in the very next statement, so nothing overlaps the communication; negative.
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


def blocking_step(weights, grads, bufs, slots, *, lr, momentum, rank, world):
    for start in range(0, len(weights), world):
        targets = weights[start:start + world]
        j = min(start + rank, len(weights) - 1)
        u, bufs[j] = muon_update(grads[j], bufs[j], momentum=momentum)
        work = dist.all_gather(slots, u.flatten(), async_op=True)
        work.wait()
        torch._foreach_add_(targets, [s.view_as(t) for s, t in zip(slots, targets)], alpha=-lr)
    return bufs
