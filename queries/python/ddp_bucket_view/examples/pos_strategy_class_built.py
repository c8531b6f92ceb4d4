# example: a sync strategy class wraps the model in DDP with gradient_as_bucket_view=True in its prepare method, and the script builds that strategy and calls prepare; positive.
import os

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel


class WrapperSync:
    def __init__(self, device_id):
        self.device_id = device_id

    def prepare(self, model):
        return DistributedDataParallel(model, device_ids=[self.device_id], broadcast_buffers=False,
                                       gradient_as_bucket_view=True)


rank = int(os.environ.get("LOCAL_RANK", 0))
sync = WrapperSync(rank)
model = sync.prepare(nn.Linear(512, 512).cuda(rank))
model(torch.randn(8, 512, device=rank)).sum().backward()
