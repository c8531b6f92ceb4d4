# example: the DDP options are bound by functools.partial(DDP, broadcast_buffers=False, gradient_as_bucket_view=True) and the model is wrapped by calling that name; positive.
import functools
import os

from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

local_rank = int(os.environ["LOCAL_RANK"])
model = nn.Sequential(nn.Linear(768, 3072), nn.ReLU(), nn.Linear(3072, 768)).cuda()
wrap_ddp = functools.partial(DDP, broadcast_buffers=False, gradient_as_bucket_view=True)
model = wrap_ddp(model, device_ids=[local_rank])
