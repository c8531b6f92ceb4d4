# example: the Muon step all-reduces (averages) each gradient itself and then every rank orthogonalizes every parameter; the rank is only used for logging; negative (no sharded work).
import torch
import torch.distributed as dist


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class ReplicatedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank = dist.get_rank()
        self.steps = 0

    @torch.no_grad()
    def step(self):
        self.steps += 1
        for group in self.param_groups:
            for p in group["params"]:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(newton_schulz(buf).type_as(p), alpha=-group["lr"])
        if self.rank == 0 and self.steps % 100 == 0:
            print(f"muon step {self.steps}")


opt = ReplicatedMuon([torch.nn.Parameter(torch.randn(512, 512)) for _ in range(4)])
