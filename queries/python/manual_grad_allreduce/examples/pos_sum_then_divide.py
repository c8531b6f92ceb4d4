# example: a sync_gradients helper sums each gradient across ranks and divides by the world size, parameters are synced at start, and the model is never wrapped in DDP; same idea, other arithmetic.
import torch
import torch.distributed as dist
import torch.nn as nn


def sync_initial_weights(module: nn.Module, src: int = 0):
    with torch.no_grad():
        for tensor in module.state_dict().values():
            dist.broadcast(tensor, src=src)


def sync_gradients(module: nn.Module):
    world = dist.get_world_size()
    for p in module.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad.div_(world)


def fit(module, batches, opt):
    sync_initial_weights(module)
    for x, y in batches:
        nn.functional.mse_loss(module(x), y).backward()
        sync_gradients(module)
        opt.step()
        opt.zero_grad(set_to_none=True)
