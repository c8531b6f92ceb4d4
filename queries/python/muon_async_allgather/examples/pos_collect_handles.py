# example: every round launches an async all_gather into its own buffers and stores the handle; all handles are waited on after the loop, so later orthogonalizations overlap earlier transfers; a third spelling.
import torch
import torch.distributed as dist


@torch.no_grad()
def muon_step(params, states, lr, momentum, rank, world, zeropower):
    launched = []
    for i in range(0, len(params), world):
        chunk = params[i:i + world]
        p = chunk[rank]
        buf = states.setdefault(p, torch.zeros_like(p.grad))
        buf.lerp_(p.grad, 1 - momentum)
        update = zeropower(p.grad.lerp(buf, momentum)).flatten().bfloat16()
        outs = [torch.empty_like(update) for _ in range(world)]
        work = dist.all_gather(outs, update, async_op=True)
        launched.append((work, chunk, outs))
    for work, chunk, outs in launched:
        work.wait()
        for q, u in zip(chunk, outs):
            q.add_(u.view_as(q).type_as(q), alpha=-lr)
