# example: a gradient-averaging helper takes an optional reducer and falls back to a lambda that all-reduces what it is given; the training loop calls the helper without a reducer after backward, so each parameter's gradient goes through the lambda; no DDP; positive.
import torch
import torch.distributed as dist
from torch import nn


def sync_grads(params, reducer=None):
    reducer = reducer or (lambda tensor: dist.all_reduce(tensor, op=dist.ReduceOp.AVG))
    for p in params:
        if p.grad is not None:
            reducer(p.grad)


def main(model: nn.Module, loader, optimizer, steps):
    for _ in range(steps):
        x, y = next(loader)
        model(x, y).backward()
        sync_grads(model.parameters())
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
