# example: the same two strategy classes, but the script builds the DDP one (`sync = WrapperSync(0)`), whose wrapper averages the gradients; the explicit class is never built; NOT present.
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


class ExplicitSync:
    def prepare(self, model):
        for p in model.parameters():
            dist.broadcast(p.data, 0)
        return model

    def after_backward(self, model):
        for p in model.parameters():
            dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)


class WrapperSync:
    def __init__(self, device):
        self.device = device

    def prepare(self, model):
        return DistributedDataParallel(model, device_ids=[self.device])

    def after_backward(self, model):
        pass


def main(model: nn.Module, loader, optimizer, steps):
    sync = WrapperSync(0)
    model = sync.prepare(model)
    for _ in range(steps):
        x, y = next(loader)
        model(x, y).backward()
        sync.after_backward(model)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
