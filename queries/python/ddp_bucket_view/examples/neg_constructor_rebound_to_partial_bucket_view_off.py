# example: the same patch rebinding DDP to a partial, but it binds gradient_as_bucket_view=False (only the buffer broadcast is turned off); NOT present.
import functools

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


def patch_ddp_factory(ddp_cls):
    return functools.partial(ddp_cls, broadcast_buffers=False, gradient_as_bucket_view=False)


def apply_patches(model):
    model.train()
    return patch_ddp_factory(DDP)


model = nn.Linear(768, 768).cuda()
DDP = apply_patches(model)
model = DDP(model, device_ids=[0])
