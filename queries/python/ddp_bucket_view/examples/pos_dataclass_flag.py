# example: a dataclass field alias_grads_to_buckets=True is passed as gradient_as_bucket_view (broadcast_buffers left at default); the bucket-view setting still reaches DDP, a third spelling.
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel


@dataclass
class DistConfig:
    local_rank: int = 0
    alias_grads_to_buckets: bool = True
    bucket_cap_mb: int = 25


def distribute(model: nn.Module, cfg: DistConfig) -> DistributedDataParallel:
    model = model.to(f"cuda:{cfg.local_rank}")
    return DistributedDataParallel(
        model,
        device_ids=[cfg.local_rank],
        bucket_cap_mb=cfg.bucket_cap_mb,
        gradient_as_bucket_view=cfg.alias_grads_to_buckets,
    )
