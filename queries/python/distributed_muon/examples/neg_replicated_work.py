# example: near miss - Muon runs on every rank for every parameter; dist.all_reduce appears only for the validation loss and the class even stores rank/world_size; negative (no sharding of the NS work).
import torch
import torch.distributed as dist


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world_size=1):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank, self.world_size = rank, world_size

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                X = p.grad.add(buf, alpha=group["momentum"]).bfloat16()
                X /= X.norm() + 1e-7
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.add_(X.type_as(p), alpha=-group["lr"])


def evaluate(model, batches):
    total = torch.zeros((), device="cuda")
    for x, y in batches:
        total += model(x, y).detach()
    dist.all_reduce(total, op=dist.ReduceOp.AVG)
    return total / len(batches)
