# example: the same flag helper, but the hyperparameters leave gradient_as_bucket_view off; NOT present.
from types import SimpleNamespace

import torch
from torch.nn.parallel import DistributedDataParallel as DDP

hparams = SimpleNamespace(ddp_broadcast_buffers=False, ddp_grad_as_bucket_view=False)


def hp_flag(hp, name):
    return bool(getattr(hp, name))


model = torch.nn.Linear(768, 768).cuda()
net = DDP(model, device_ids=[0], broadcast_buffers=hp_flag(hparams, "ddp_broadcast_buffers"),
          gradient_as_bucket_view=hp_flag(hparams, "ddp_grad_as_bucket_view"))
