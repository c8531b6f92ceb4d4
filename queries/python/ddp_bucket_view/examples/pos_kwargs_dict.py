# example: DDP options live in a dict spread into torch.nn.parallel.DistributedDataParallel by its full path; gradient_as_bucket_view resolves to True, so present.
import os

import torch
import torch.nn as nn

DDP_OPTIONS = {
    "broadcast_buffers": False,
    "gradient_as_bucket_view": True,
    "static_graph": False,
}


def wrap(model: nn.Module) -> nn.Module:
    rank = int(os.environ.get("LOCAL_RANK", 0))
    return torch.nn.parallel.DistributedDataParallel(model.cuda(rank), device_ids=[rank], **DDP_OPTIONS)


if __name__ == "__main__":
    torch.distributed.init_process_group("nccl")
    net = wrap(nn.Linear(1024, 1024))
