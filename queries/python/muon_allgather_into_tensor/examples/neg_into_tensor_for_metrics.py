# example: all_gather_into_tensor collects per-rank validation losses for logging, while the Muon step shares updates with all_reduce; NOT present (near miss for a call matcher).
import torch
import torch.distributed as dist


def gather_val_losses(local_loss: torch.Tensor, world: int) -> torch.Tensor:
    out = torch.empty(world, device=local_loss.device)
    dist.all_gather_into_tensor(out, local_loss.reshape(1))
    return out


@torch.no_grad()
def muon_step(params, lr, rank, world, orth):
    total = sum(p.numel() for p in params)
    flat = torch.zeros(total, device="cuda", dtype=torch.bfloat16)
    offset = 0
    for i, p in enumerate(params):
        if i % world == rank:
            flat[offset:offset + p.numel()] = orth(p.grad).flatten()
        offset += p.numel()
    dist.all_reduce(flat)
    offset = 0
    for p in params:
        p.add_(flat[offset:offset + p.numel()].view_as(p).type_as(p), alpha=-lr)
        offset += p.numel()
