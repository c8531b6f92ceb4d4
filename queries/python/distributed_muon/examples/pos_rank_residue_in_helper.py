# example: the ownership test lives in a small helper (`def divisible_by(num, den): return (num % den) == 0`) that the optimizer calls with the index offset by its rank (`divisible_by(index - self.rank, self.world_size)`); each rank orthogonalizes only its matrices into a flat buffer that one all_reduce shares; positive.
import torch
import torch.distributed as dist


def divisible_by(num, den):
    return (num % den) == 0


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world_size=1):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank = rank
        self.world_size = world_size

    def owns(self, index):
        return divisible_by(index - self.rank, self.world_size)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            numels = [p.numel() for p in params]
            flat = torch.zeros(sum(numels), device=params[0].device, dtype=torch.bfloat16)
            slots = flat.split(numels)
            for index, (p, slot) in enumerate(zip(params, slots)):
                if not self.owns(index):
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                slot.copy_(newton_schulz(p.grad.add(buf, alpha=group["momentum"])).flatten())
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            for p, slot in zip(params, slots):
                p.add_(slot.view_as(p).type_as(p), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(8, 8))], rank=dist.get_rank(), world_size=dist.get_world_size())
