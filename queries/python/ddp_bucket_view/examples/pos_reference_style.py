# example: the compiled model is wrapped in DDP with broadcast_buffers=False and gradient_as_bucket_view=True; present.
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

local_rank = int(os.environ["LOCAL_RANK"])
torch.cuda.set_device(local_rank)
dist.init_process_group(backend="nccl")

model = nn.Sequential(nn.Embedding(50304, 768), nn.Linear(768, 50304, bias=False)).cuda()
model = torch.compile(model)
model = DDP(model, device_ids=[local_rank], broadcast_buffers=False, gradient_as_bucket_view=True)
raw_model = model.module
