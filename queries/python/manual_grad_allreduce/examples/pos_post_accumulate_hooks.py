# example: each parameter registers a post-accumulate-grad hook that launches an async SUM all_reduce of its gradient and the handles are waited and divided by the world size before the step; no DDP wrapper.
import torch
import torch.distributed as dist
from torch import nn

pending = []


def attach_grad_sync(model: nn.Module):
    def hook(param):
        pending.append((param, dist.all_reduce(param.grad, op=dist.ReduceOp.SUM, async_op=True)))
    for p in model.parameters():
        p.register_post_accumulate_grad_hook(hook)


def finish_grad_sync(world_size: int):
    for param, handle in pending:
        handle.wait()
        param.grad.div_(world_size)
    pending.clear()


def train(model, batches, opt, world_size):
    attach_grad_sync(model)
    for x, y in batches:
        nn.functional.cross_entropy(model(x), y).backward()
        finish_grad_sync(world_size)
        opt.step()
        opt.zero_grad(set_to_none=True)
