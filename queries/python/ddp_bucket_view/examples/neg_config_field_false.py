# example: a dataclass field for the bucket view is False and is what DDP receives, next to broadcast_buffers=False; the bucket view is off, so NOT present.
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class DDPConfig:
    grad_bucket_view: bool = False
    broadcast: bool = False


def wrap(model: nn.Module, cfg: DDPConfig, rank: int):
    return DDP(model.cuda(rank), device_ids=[rank], broadcast_buffers=cfg.broadcast, gradient_as_bucket_view=cfg.grad_bucket_view)
