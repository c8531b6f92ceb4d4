# example: broadcast_buffers=False is set but gradient_as_bucket_view is explicitly False (the word appears in a comment too); the bucket view is off, so NOT present (near miss).
import os

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

local_rank = int(os.environ["LOCAL_RANK"])
model = nn.Sequential(nn.Linear(768, 3072), nn.ReLU(), nn.Linear(3072, 768)).cuda()
# gradient_as_bucket_view=True broke our grad-norm hook, keep it off for now
model = DDP(model, device_ids=[local_rank], broadcast_buffers=False, gradient_as_bucket_view=False)
