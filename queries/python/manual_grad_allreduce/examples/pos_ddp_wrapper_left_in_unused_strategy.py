# example: the script keeps a DDP strategy class it never builds (its `prepare` wraps the model in DistributedDataParallel) beside the explicit one it uses, which all-reduces each gradient after backward; present.
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
    sync = ExplicitSync()
    model = sync.prepare(model)
    for _ in range(steps):
        x, y = next(loader)
        model(x, y).backward()
        sync.after_backward(model)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
