# example: no DDP wrapper; parameters are broadcast from rank 0 after construction and every param.grad is all_reduce'd with ReduceOp.AVG after backward; present.
import os

import torch
import torch.distributed as dist
from torch import nn

rank = int(os.environ["RANK"])
world_size = int(os.environ["WORLD_SIZE"])
device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
torch.cuda.set_device(device)
dist.init_process_group(backend="nccl", device_id=device)

model = nn.Sequential(nn.Embedding(50304, 768), nn.Linear(768, 50304, bias=False)).cuda()
for param in model.parameters():
    dist.broadcast(param.detach(), 0)
model = torch.compile(model)


def train_step(inputs, targets, optimizers):
    logits = model(inputs)
    loss = nn.functional.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))
    loss.backward()
    for param in model.parameters():
        dist.all_reduce(param.grad, op=dist.ReduceOp.AVG)
    for opt in optimizers:
        opt.step()
    model.zero_grad(set_to_none=True)
