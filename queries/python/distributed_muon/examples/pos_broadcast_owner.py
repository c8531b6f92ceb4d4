# example: the owner rank of each matrix (round robin over dist.get_rank()) computes the SVD-orthogonalized update and dist.broadcast sends it from that owner to everyone; positive (broadcast instead of all_reduce).
import torch
import torch.distributed as dist


class ShardedOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        me, n = dist.get_rank(), dist.get_world_size()
        for grp in self.param_groups:
            for idx, w in enumerate(grp["params"]):
                owner = idx % n
                upd = torch.empty_like(w)
                if owner == me:
                    mom = self.state[w].setdefault("mom", torch.zeros_like(w))
                    mom.mul_(grp["beta"]).add_(w.grad)
                    U, _, Vh = torch.linalg.svd((w.grad + grp["beta"] * mom).float(), full_matrices=False)
                    upd.copy_(U @ Vh)
                dist.broadcast(upd, src=owner)
                w.sub_(grp["lr"] * upd)
