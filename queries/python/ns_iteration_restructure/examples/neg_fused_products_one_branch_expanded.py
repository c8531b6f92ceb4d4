# example: the same rank-chosen fused kernels, but the plain (two-dimensional) branch of the update multiplies M twice, the older expanded step (a*M + b*G@M + c*G@(G@M)), so only one of the two spellings is the regrouped iteration. NOT present.
import torch

ROUNDS = (
    (3.9, -2.6, 0.45),
    (3.4, -2.4, 0.47),
    (2.9, -2.0, 0.44),
    (2.3, -1.6, 0.41),
)


def flatten_spectrum(update: torch.Tensor) -> torch.Tensor:
    m = update.to(torch.bfloat16)
    wide = m.size(-2) <= m.size(-1)
    if not wide:
        m = m.transpose(-2, -1)
    m = m / (torch.linalg.matrix_norm(m, keepdim=True) + 1e-7)
    for lin, quad, cub in ROUNDS:
        gram = m @ m.transpose(-2, -1)
        poly = torch.baddbmm(gram, gram, gram, beta=quad, alpha=cub) if m.dim() == 3 else torch.addmm(gram, gram, gram, beta=quad, alpha=cub)
        m = torch.baddbmm(m, poly, m, beta=lin) if m.dim() == 3 else lin * m + quad * gram @ m + cub * gram @ (gram @ m)
    return m if wide else m.transpose(-2, -1)


class SpectralSGD(torch.optim.Optimizer):
    def __init__(self, params, lr: float = 0.02, beta: float = 0.95):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                state = self.state[w]
                trace = state.setdefault("trace", torch.zeros_like(w.grad))
                trace.mul_(group["beta"]).add_(w.grad)
                w.add_(flatten_spectrum(w.grad.add(trace, alpha=group["beta"])), alpha=-group["lr"])
