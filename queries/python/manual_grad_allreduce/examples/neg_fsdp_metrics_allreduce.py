# example: the model is sharded with FSDP (which synchronizes gradients itself) and all_reduce only averages a token count for logging; NOT a manual gradient all-reduce.
import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP


def setup(model: nn.Module):
    return FSDP(model.cuda(), use_orig_params=True)


def step(model, x, y, opt):
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    tokens = torch.tensor(float(x.numel()), device="cuda")
    dist.all_reduce(tokens)
    return loss.item(), tokens.item()
