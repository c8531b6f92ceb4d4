"""Optimizer and schedule utilities.

MomentumOrtho: SGD-momentum (Nesterov) whose per-matrix update is replaced by an
approximately orthogonal matrix computed with a quintic Newton-Schulz iteration.
Works on stacks of matrices (any tensor with ndim >= 2): the iteration runs over
the trailing two dims and treats leading dims as a batch.
"""
import torch

NS_COEFFS = (3.4445, -4.7750, 2.0315)


def orthogonalize(G: torch.Tensor, steps: int = 5, eps: float = 1e-7) -> torch.Tensor:
    assert G.ndim >= 2, "need at least a matrix"
    a, b, c = NS_COEFFS
    X = G.to(torch.bfloat16)
    wide = X.size(-2) <= X.size(-1)
    if not wide:
        X = X.mT
    # bring the spectral norm of every matrix in the batch below one
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + eps)
    for _ in range(steps):
        A = X @ X.mT
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    if not wide:
        X = X.mT
    return X


class MomentumOrtho(torch.optim.Optimizer):

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5):
        params = list(params)
        for p in params:
            if p.ndim < 2:
                raise ValueError("MomentumOrtho only handles matrices / stacks of matrices")
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom = group["lr"], group["momentum"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                state = self.state[p]
                if not state:
                    state["mom_buf"] = torch.zeros_like(g)
                buf = state["mom_buf"]
                buf.mul_(mom).add_(g)
                if group["nesterov"]:
                    g = g.add(buf, alpha=mom)
                else:
                    g = buf
                o = orthogonalize(g, group["ns_steps"])
                # only tall matrices get a boost
                gain = max(1.0, p.size(-2) / p.size(-1)) ** 0.5
                p.add_(o.to(p.dtype), alpha=-lr * gain)


class OptimizerGroup:
    """Minimal wrapper stepping a list of optimizers together."""

    def __init__(self, *opts):
        self.opts = opts
        for o in opts:
            for g in o.param_groups:
                g.setdefault("lr0", g["lr"])

    def set_lr_scale(self, s):
        for o in self.opts:
            for g in o.param_groups:
                g["lr"] = g["lr0"] * s

    def set_momentum(self, m):
        for o in self.opts:
            if isinstance(o, MomentumOrtho):
                for g in o.param_groups:
                    g["momentum"] = m

    def step(self):
        for o in self.opts:
            o.step()

    def zero_grad(self):
        for o in self.opts:
            o.zero_grad(set_to_none=True)


# ----------------------------------------------------------------------------
# schedules


def lr_scale(step: int, total: int, cooldown_frac: float = 0.4, floor: float = 0.1) -> float:
    """Hold at 1.0, then decay linearly so the final step sits at `floor`."""
    remaining = 1.0 - step / total
    w = min(remaining / cooldown_frac, 1.0)
    return w * 1.0 + (1.0 - w) * floor


def ortho_momentum(step: int, ramp_steps: int = 500, start: float = 0.85, end: float = 0.95) -> float:
    frac = min(step / ramp_steps, 1.0)
    return (1.0 - frac) * start + frac * end
