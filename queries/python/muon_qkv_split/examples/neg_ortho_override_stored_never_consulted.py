# example: the same per-block override handed to a registration method that stores it, but the optimizer's update never consults what it stored (it orthogonalizes the fused QKV gradient whole); negative.
import torch
import torch.nn as nn


def ns5(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self._overrides = []

    def register_override(self, fn):
        self._overrides.append(fn)
        return fn

    def _direction(self, g):
        return ns5(g)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(self._direction(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


def per_block(g):
    rows, cols = g.shape
    if rows != 3 * cols:
        return None
    return torch.cat([ns5(block) for block in g.split(cols)], dim=0)


class Attention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        q, k, v = self.c_attn(x).chunk(3, dim=-1)
        y = torch.nn.functional.scaled_dot_product_attention(q[:, None], k[:, None], v[:, None], is_causal=True)[:, 0]
        return self.c_proj(y)


def main():
    model = Attention(64)
    opt = OrthoMomentum(model.parameters(), lr=0.02)
    opt.register_override(per_block)
    for _ in range(10):
        loss = model(torch.randn(2, 8, 64)).square().mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
