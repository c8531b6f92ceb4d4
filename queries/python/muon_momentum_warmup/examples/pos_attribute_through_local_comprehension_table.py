# example: the optimizer keeps its momentum as `self.mu` and reads it through a local (`mu = self.mu`) for a lerp buffer; the loop looks the value up in a per-step comprehension table (1,201 entries, 0.85 rising to 0.95 over 300 steps) and writes `orth.mu`; positive.
import torch


def polar(M):
    U, _, V = torch.linalg.svd(M.float(), full_matrices=False)
    return (U @ V).to(M.dtype)


class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.03, mu=0.9):
        super().__init__(params, {"lr": lr})
        self.mu = mu

    @torch.no_grad()
    def step(self):
        mu = self.mu
        for group in self.param_groups:
            for w in group["params"]:
                state = self.state[w]
                if "avg" not in state:
                    state["avg"] = torch.zeros_like(w)
                avg = state["avg"]
                avg.lerp_(w.grad, 1 - mu)
                w.sub_(group["lr"] * polar(w.grad.lerp(avg, mu)))


TOTAL = 1200
RAMP = 300
mu_by_step = [0.85 + 0.10 * min(k, RAMP) / RAMP for k in range(TOTAL + 1)]

blocks = [torch.nn.Parameter(torch.randn(256, 256) / 16) for _ in range(6)]
orth = Orthogonal(blocks)
for k in range(TOTAL + 1):
    torch.stack([b.pow(2).mean() for b in blocks]).sum().backward()
    orth.mu = mu_by_step[k]
    orth.step()
    orth.zero_grad(set_to_none=True)
