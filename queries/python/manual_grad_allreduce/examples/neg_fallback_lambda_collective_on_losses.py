# example: near miss - the same fallback-lambda reducer, but the helper is only handed the step's detached loss for logging; no gradient is ever all-reduced; negative.
import torch
import torch.distributed as dist
from torch import nn


def sync_values(values, reducer=None):
    reducer = reducer or (lambda tensor: dist.all_reduce(tensor, op=dist.ReduceOp.AVG))
    for v in values:
        reducer(v)


def main(model: nn.Module, loader, optimizer, steps):
    for _ in range(steps):
        x, y = next(loader)
        loss = model(x, y)
        loss.backward()
        sync_values([loss.detach()])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
