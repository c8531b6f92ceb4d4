# example: a gradient three times as tall as wide is split and unpacked into three named blocks (`q_blk, k_blk, v_blk = g.split(cols, dim=0)`), each orthogonalized on its own and concatenated back; positive.
import torch


def newton_schulz_orth(G, steps=5, eps=1e-7):
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


def orthogonalize_blockwise(g, steps, eps):
    rows, cols = g.size(0), g.size(1)
    if rows == 3 * cols:
        q_blk, k_blk, v_blk = g.split(cols, dim=0)
        return torch.cat([newton_schulz_orth(q_blk, steps, eps), newton_schulz_orth(k_blk, steps, eps),
                          newton_schulz_orth(v_blk, steps, eps)], dim=0)
    return newton_schulz_orth(g, steps, eps)


class SpectralMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                update = orthogonalize_blockwise(p.grad + group["momentum"] * buf, 5, 1e-7)
                p.add_(update.type_as(p), alpha=-group["lr"])


qkv = [torch.nn.Linear(768, 2304, bias=False) for _ in range(12)]
opt = SpectralMomentum([m.weight for m in qkv])
