# example: The plug-in that would clear the DDP options and average gradients by hand is written but never installed (the run gets an empty plug-in list), so DDP wraps the model; NOT present.
import os
from types import SimpleNamespace

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP


class HandSync:
    def setup(self, run):
        run.wrap_options = None
        for p in run.model.parameters():
            dist.broadcast(p.detach(), 0)

    def after_backward(self, run):
        for p in run.model.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)


def train(plugins, steps=100):
    dist.init_process_group("nccl")
    rank = int(os.environ["LOCAL_RANK"])
    run = SimpleNamespace(model=nn.Linear(768, 768).cuda(), wrap_options=dict(broadcast_buffers=False))
    for plugin in plugins:
        plugin.setup(run)
    trained = run.model
    if run.wrap_options is not None:
        trained = DDP(run.model, device_ids=[rank], **run.wrap_options)
    opt = torch.optim.SGD(run.model.parameters(), lr=0.1)
    for _ in range(steps):
        loss = trained(torch.randn(8, 768, device="cuda")).square().mean()
        loss.backward()
        for plugin in plugins:
            plugin.after_backward(run)
        opt.step()
        opt.zero_grad(set_to_none=True)


train([])
