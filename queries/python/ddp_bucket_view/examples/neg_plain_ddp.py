# example: DDP with only device_ids, so gradients are copied into buckets and buffers are broadcast each step; NOT present.
import os

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

ddp_local_rank = int(os.environ["LOCAL_RANK"])
model = nn.Linear(768, 768).cuda()
model = torch.compile(model)
model = DDP(model, device_ids=[ddp_local_rank])
raw_model = model.module
