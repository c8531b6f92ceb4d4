# example: all_gather is launched with async_op=True but .wait() is called on the very next line before any other work, so nothing overlaps; NOT present (near miss for a keyword matcher).
import torch
import torch.distributed as dist


@torch.no_grad()
def muon_step(params, momentum_bufs, lr, beta, rank, world, zeropower):
    for base in range(0, len(params), world):
        p = params[base + rank]
        m = momentum_bufs[p]
        m.mul_(beta).add_(p.grad)
        upd = zeropower(m).flatten().bfloat16()
        outs = [torch.empty_like(upd) for _ in range(world)]
        handle = dist.all_gather(outs, upd, async_op=True)
        handle.wait()
        for q, u in zip(params[base:base + world], outs):
            q.add_(u.view_as(q).type_as(q), alpha=-lr)
