# example: a functional Muon step; each rank orthogonalizes params[rank::world] (rank from dist.get_rank()) with a polar-express style Gram loop, and dist.all_gather_into_tensor gathers the padded updates; positive (slice ownership, helper name without "newton").
import torch
import torch.distributed as dist


def polar(G, iters=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(iters):
        S = X @ X.mT
        X = 3.4445 * X + (-4.7750 * S + 2.0315 * S @ S) @ X
    return X


@torch.no_grad()
def sharded_step(params, bufs, lr=0.05, beta=0.95):
    me, world = dist.get_rank(), dist.get_world_size()
    flat = torch.zeros(world, params[0].numel(), dtype=torch.bfloat16, device="cuda")
    mine = params[me::world]
    for j, p in enumerate(mine):
        b = bufs[me + j * world]
        b.lerp_(p.grad, 1 - beta)
        flat[me] = polar(p.grad.lerp(b, beta)).flatten()
        gathered = torch.empty_like(flat)
        dist.all_gather_into_tensor(gathered, flat[me])
        for r in range(world):
            k = j * world + r
            if k < len(params):
                params[k].add_(gathered[r].view_as(params[k]).type_as(params[k]), alpha=-lr)
