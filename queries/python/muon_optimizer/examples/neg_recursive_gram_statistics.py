# example: a recursive helper walks the gradients accumulating Shampoo-style Gram statistics (stats + G @ G.T, then itself on the rest) and the optimizer preconditions with them; the Gram product is of each gradient, not of the recursed matrix, and nothing is orthogonalized; negative.
import torch


def gram_stats(stats, grads):
    if not grads:
        return stats
    G = grads[0]
    return gram_stats(stats + G @ G.T, grads[1:])


class GramPreconditioned(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                L = self.state[p].setdefault("L", torch.eye(p.size(0), device=p.device))
                L.copy_(gram_stats(L, [p.grad]))
                p.add_(torch.linalg.solve(L + 1e-4 * torch.eye(p.size(0), device=p.device), p.grad), alpha=-group["lr"])


blocks = torch.nn.ModuleList(torch.nn.Linear(384, 384, bias=False) for _ in range(6))
opt = GramPreconditioned(blocks.parameters())
