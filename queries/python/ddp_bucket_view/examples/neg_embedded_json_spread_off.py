# example: DDP options loaded with json.loads from an embedded string and spread with **, but that document sets gradient_as_bucket_view to false; another, never-used document says true; negative (near miss).
import json
import os

import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

DDP_KW = json.loads('{"broadcast_buffers": false, "gradient_as_bucket_view": false}')
PLANNED_KW = json.loads('{"gradient_as_bucket_view": true}')


def wrap(model: nn.Module) -> nn.Module:
    rank = int(os.environ.get("LOCAL_RANK", 0))
    return DDP(model.cuda(rank), device_ids=[rank], **DDP_KW)


if __name__ == "__main__":
    torch.distributed.init_process_group("nccl")
    net = wrap(nn.Linear(1024, 1024))
