# example: DDP keyword options written into a dict by a loop over literal (name, value) pairs, gradient_as_bucket_view True, then spread with **; positive.
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

model = nn.Linear(8, 8).cuda()
ddp_opts = {}
for key, value in (("broadcast_buffers", False), ("gradient_as_bucket_view", True)):
    ddp_opts[key] = value
model = DDP(model, device_ids=[0], **ddp_opts)
