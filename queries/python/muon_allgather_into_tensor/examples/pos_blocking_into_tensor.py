# example: a simpler distributed Muon step gathers every round into one contiguous 2-D tensor with a blocking all_gather_into_tensor and reads rows back; single-buffer gather, other names.
import torch
import torch.distributed as dist


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


@torch.no_grad()
def sharded_muon_step(params, moms, lr, beta, rank, world):
    numel = params[0].numel()
    gathered = torch.empty(world, numel, dtype=torch.bfloat16, device=params[0].device)
    for start in range(0, len(params), world):
        chunk = params[start:start + world]
        mine = chunk[rank]
        moms[mine].mul_(beta).add_(mine.grad)
        local = newton_schulz(moms[mine]).reshape(-1)
        dist.all_gather_into_tensor(gathered, local)
        for row, p in zip(gathered, chunk):
            p.add_(row.view_as(p).type_as(p), alpha=-lr)
