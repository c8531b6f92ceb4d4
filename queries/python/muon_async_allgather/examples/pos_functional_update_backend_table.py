# example: a functional orthogonalized update picks its routine from a table of backends under a plain local name
# (`fn = ROUTINES[cfg.kind]`), starts each round's gather asynchronously and applies the previous round's result
# before waiting on the next.
import os

import torch
import torch.distributed as dist


def quintic(m, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = m.bfloat16() / (m.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x.to(m.dtype)


ROUTINES = {"q5": quintic, "q3": lambda m: quintic(m, steps=3)}


def finish(handle, targets, pieces, lr):
    if handle is None:
        return
    handle.wait()
    for t, piece in zip(targets, pieces):
        t.data.add_(piece.view_as(t), alpha=-lr)


def sharded_step(weights, moms, lr, rank, world, kind):
    fn = ROUTINES[kind]
    handle, targets = None, []
    pieces = [torch.empty_like(weights[0]).flatten() for _ in range(world)]
    for start in range(0, len(weights), world):
        w = weights[min(start + rank, len(weights) - 1)]
        m = moms[min(start + rank, len(weights) - 1)]
        m.mul_(0.95).add_(w.grad)
        update = fn(w.grad.add(m, alpha=0.95)).flatten()
        finish(handle, targets, pieces, lr)
        handle = dist.all_gather(pieces, update, async_op=True)
        targets = weights[start:start + world]
    finish(handle, targets, pieces, lr)


def train(net, batches, steps):
    weights = [p for p in net.parameters() if p.ndim == 2]
    moms = [torch.zeros_like(w) for w in weights]
    for _ in range(steps):
        net(next(batches)).backward()
        sharded_step(weights, moms, 0.02, dist.get_rank(), dist.get_world_size(), os.environ.get("ROUTINE", "q5"))
