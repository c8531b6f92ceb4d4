# example: model surgery leaves the base's DDP(model, device_ids=...) call alone and rebinds the DDP name to what a patch returns: a functools.partial of the constructor it is handed, with broadcast_buffers=False and gradient_as_bucket_view=True bound; present.
import functools

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


def patch_ddp_factory(ddp_cls):
    return functools.partial(ddp_cls, broadcast_buffers=False, gradient_as_bucket_view=True)


def apply_patches(model):
    model.train()
    return patch_ddp_factory(DDP)


model = nn.Linear(768, 768).cuda()
DDP = apply_patches(model)
model = DDP(model, device_ids=[0])
