# example: a sync strategy class would wrap the model in DDP with gradient_as_bucket_view=True, but nothing builds it: the script all-reduces gradients itself through another strategy; NOT present.
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


class WrapperSync:
    def __init__(self, device_id):
        self.device_id = device_id

    def prepare(self, model):
        return DistributedDataParallel(model, device_ids=[self.device_id], broadcast_buffers=False,
                                       gradient_as_bucket_view=True)


class ExplicitSync:
    def prepare(self, model):
        return model

    def after_backward(self, model):
        for p in model.parameters():
            dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)


rank = int(os.environ.get("LOCAL_RANK", 0))
sync = ExplicitSync()
model = sync.prepare(nn.Linear(512, 512).cuda(rank))
model(torch.randn(8, 512, device=rank)).sum().backward()
sync.after_backward(model)
