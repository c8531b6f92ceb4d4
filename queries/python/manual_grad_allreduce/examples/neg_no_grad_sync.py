# example: DDP is gone and weights are broadcast, but only the logged loss is all-reduced; gradients are never synchronized, so NOT present.
import torch
import torch.distributed as dist
from torch import nn


def train(model: nn.Module, loader, opt, steps):
    for p in model.parameters():
        dist.broadcast(p.detach(), 0)
    for step in range(steps):
        x, y = next(loader)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step % 100 == 0:
            logged = loss.detach().clone()
            dist.all_reduce(logged, op=dist.ReduceOp.AVG)
            print(f"step {step} loss {logged.item():.4f}")
