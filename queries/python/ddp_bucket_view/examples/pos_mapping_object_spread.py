# example: DDP options are attributes of a small options object spread with ** through the mapping protocol (keys + __getitem__ reading getattr); gradient_as_bucket_view is True; positive.
import os

import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel


class WrapOptions:
    def __init__(self, bucket_view=True):
        self.gradient_as_bucket_view = bucket_view
        self.broadcast_buffers = False

    def keys(self):
        return ["gradient_as_bucket_view", "broadcast_buffers"]

    def __getitem__(self, key):
        return getattr(self, key)


if __name__ == "__main__":
    torch.distributed.init_process_group("nccl")
    rank = int(os.environ.get("LOCAL_RANK", 0))
    net = nn.Linear(1024, 1024).cuda(rank)
    net = DistributedDataParallel(net, device_ids=[rank], **WrapOptions())
