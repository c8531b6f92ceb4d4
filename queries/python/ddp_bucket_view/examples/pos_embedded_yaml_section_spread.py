# example: the DDP options are a section of a YAML document embedded as a string (ddp: gradient_as_bucket_view: true, broadcast_buffers: false), loaded with yaml.safe_load and spread into DDP as **CFG["ddp"]; positive.
import os

import torch
import torch.nn as nn
import yaml
from torch.nn.parallel import DistributedDataParallel as DDP

RUN_YAML = """
model:
  width: 768
ddp:
  gradient_as_bucket_view: true
  broadcast_buffers: false
"""

CFG = yaml.safe_load(RUN_YAML)


def wrap(model: nn.Module) -> nn.Module:
    rank = int(os.environ.get("LOCAL_RANK", 0))
    return DDP(model.cuda(rank), device_ids=[rank], **CFG["ddp"])


if __name__ == "__main__":
    torch.distributed.init_process_group("nccl")
    net = wrap(nn.Linear(CFG["model"]["width"], CFG["model"]["width"]))
