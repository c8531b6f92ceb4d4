# example: gradients are flattened into one buffer, all-reduced asynchronously (AVG) and copied back before the optimizer step, with no DDP; a third, bucketed spelling.
import torch
import torch.distributed as dist
from torch import nn
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors


def average_grads(params):
    grads = [p.grad for p in params if p.grad is not None]
    flat = _flatten_dense_tensors(grads)
    work = dist.all_reduce(flat, op=dist.ReduceOp.AVG, async_op=True)
    work.wait()
    for g, synced in zip(grads, _unflatten_dense_tensors(flat, grads)):
        g.copy_(synced)


def main(model: nn.Module, loader, optimizer, steps):
    for p in model.parameters():
        dist.broadcast(p.data, 0)
    params = list(model.parameters())
    for _ in range(steps):
        x, y = next(loader)
        model(x, y).backward()
        average_grads(params)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
