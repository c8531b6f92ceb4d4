# example: a Muon-style optimizer step gathers each round of orthogonalized updates into one flat buffer with the legacy dist._all_gather_base and reads per-rank slices back; same single-buffer gather, older API.
import torch
import torch.distributed as dist


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class ShardedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, rank=0, world=1):
        self.rank, self.world = rank, world
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            n = ps[0].numel()
            flat = torch.empty(self.world * n, dtype=torch.bfloat16, device="cuda")
            for i in range(0, len(ps), self.world):
                mine = ps[min(i + self.rank, len(ps) - 1)]
                dist._all_gather_base(flat, newton_schulz(mine.grad).flatten())
                for r, p in enumerate(ps[i:i + self.world]):
                    p.add_(flat[r * n:(r + 1) * n].view_as(p).type_as(p), alpha=-group["lr"])
