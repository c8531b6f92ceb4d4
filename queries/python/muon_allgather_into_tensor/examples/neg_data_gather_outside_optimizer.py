# example: all_gather_into_tensor collects per-rank document counts in the data pipeline, and Muon exchanges updates with a list all_gather; the single-buffer gather is not in the optimizer, so NOT present.
import torch
import torch.distributed as dist


def global_doc_counts(local_docs: torch.Tensor, world: int) -> torch.Tensor:
    out = torch.empty(world * local_docs.numel(), dtype=local_docs.dtype, device=local_docs.device)
    dist.all_gather_into_tensor(out, local_docs)
    return out.view(world, -1)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, rank=0, world=1, zeropower=None):
        self.rank, self.world, self.zeropower = rank, world, zeropower
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            bufs = [torch.empty_like(ps[0]) for _ in range(self.world)]
            for i in range(0, len(ps), self.world):
                g = self.zeropower(ps[min(i + self.rank, len(ps) - 1)].grad)
                dist.all_gather(bufs, g)
                for p, u in zip(ps[i:i + self.world], bufs):
                    p.add_(u, alpha=-group["lr"])
