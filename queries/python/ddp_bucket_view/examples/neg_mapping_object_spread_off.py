# example: DDP options spread from an object through the mapping protocol, but its gradient_as_bucket_view class attribute is False; negative.
import os

import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP


class WrapOptions:
    broadcast_buffers = False
    gradient_as_bucket_view = False

    def keys(self):
        return [k for k in vars(type(self)) if not k.startswith("_") and k != "keys"]

    def __getitem__(self, key):
        return getattr(self, key)


if __name__ == "__main__":
    torch.distributed.init_process_group("nccl")
    rank = int(os.environ.get("LOCAL_RANK", 0))
    model = DDP(nn.Linear(1024, 1024).cuda(rank), device_ids=[rank], **WrapOptions())
