# example (negative): no DDP wrapper and the same averaging helper, but it is only handed the per-step losses
# for logging; the gradients are never synchronized.
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
        loss = model(x, y)
        loss.backward()
        average_in_place([loss.detach()])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
