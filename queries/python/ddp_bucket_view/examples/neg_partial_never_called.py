# example: a functools.partial(DDP, gradient_as_bucket_view=True) is made but never called; the model is wrapped by a plain DDP(model, device_ids=...) without the option; negative.
import functools
import os

from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

local_rank = int(os.environ["LOCAL_RANK"])
model = nn.Sequential(nn.Linear(768, 3072), nn.ReLU(), nn.Linear(3072, 768)).cuda()
lean_ddp = functools.partial(DDP, broadcast_buffers=False, gradient_as_bucket_view=True)
model = DDP(model, device_ids=[local_rank])
