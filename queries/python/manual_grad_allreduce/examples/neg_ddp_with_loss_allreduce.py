# example: the model is wrapped in DDP (which syncs gradients) and dist.all_reduce is used only to average the validation loss; NOT a manual gradient all-reduce (near miss).
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

local_rank = int(os.environ["LOCAL_RANK"])
model = DDP(nn.Linear(768, 768).cuda(), device_ids=[local_rank], gradient_as_bucket_view=True)


def validate(batches):
    val_loss = torch.zeros((), device="cuda")
    with torch.no_grad():
        for x, y in batches:
            val_loss += nn.functional.mse_loss(model(x), y)
    dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)
    return val_loss / len(batches)


def train_step(x, y, opt):
    nn.functional.mse_loss(model(x), y).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
