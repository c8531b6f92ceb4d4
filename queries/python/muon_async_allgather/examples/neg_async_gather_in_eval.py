# example: an async all_gather with a deferred wait collects validation losses across ranks; it is not inside an orthogonalizing optimizer step, so NOT Muon's overlapped communication.
import torch
import torch.distributed as dist


@torch.no_grad()
def evaluate(model, batches, world):
    model.eval()
    losses = torch.stack([model(x, y) for x, y in batches])
    gathered = [torch.empty_like(losses) for _ in range(world)]
    work = dist.all_gather(gathered, losses, async_op=True)
    summary = losses.mean()
    work.wait()
    model.train()
    return summary, torch.cat(gathered).mean()
