# example: no DDP wrapper; after backward the loop hands a list of the parameters' gradients to a helper, which
# launches one asynchronous averaging all-reduce per tensor in a comprehension and waits for them all.
import torch
import torch.distributed as dist


def average_in_place(tensors):
    pending = [dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True) for t in tensors]
    for handle in pending:
        handle.wait()


def train(model, batches, optimizer, steps):
    for p in model.parameters():
        dist.broadcast(p.detach(), src=0)
    for _ in range(steps):
        x, y = next(batches)
        model(x, y).backward()
        average_in_place([p.grad for p in model.parameters() if p.grad is not None])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
