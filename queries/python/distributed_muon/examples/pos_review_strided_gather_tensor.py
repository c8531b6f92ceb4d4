# example: functional sharded update: rank from the RANK env var takes params[rank::world] of each same-shape group, stacks its orthogonalized updates and all_gather_into_tensor collects everyone's; positive.
import os

import torch
import torch.distributed as dist

RANK = int(os.environ.get("RANK", 0))
WORLD = int(os.environ.get("WORLD_SIZE", 1))


def orthogonalize(M, steps=5):
    X = M.bfloat16() / (M.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


@torch.no_grad()
def sharded_muon_step(params, moms, lr=0.05, beta=0.95):
    for p, m in zip(params, moms):
        m.mul_(beta).add_(p.grad)
    mine = list(range(len(params)))[RANK::WORLD]
    local = torch.stack([orthogonalize(params[i].grad + beta * moms[i]) for i in mine])
    gathered = torch.empty((WORLD * local.size(0), *local.shape[1:]), dtype=local.dtype, device=local.device)
    dist.all_gather_into_tensor(gathered, local)
    for slot, update in enumerate(gathered):
        owner, k = slot // local.size(0), slot % local.size(0)
        index = owner + k * WORLD
        if index < len(params):
            params[index].sub_(lr * update.type_as(params[index]))


params = [torch.randn(512, 512, requires_grad=True) for _ in range(8)]
moms = [torch.zeros_like(p) for p in params]
for step in range(10):
    sum((p ** 2).sum() for p in params).backward()
    sharded_muon_step(params, moms)
