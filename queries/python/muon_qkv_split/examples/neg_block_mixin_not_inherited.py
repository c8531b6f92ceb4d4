# example: near miss - the same cooperative mixins (super(), a local `nxt = super()`) and q/k/v block mixin, but the optimizer's bases leave the block mixin out (FloatCast, PolarBase): the fused (3d, d) gradient is orthogonalized whole by _quintic; negative.
import torch


def _quintic(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    flip = X.size(0) > X.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        S = X @ X.T
        X = a * X + (b * S + c * S @ S) @ X
    return (X.T if flip else X).to(G.dtype)


class Polar:
    kinds = {}

    def __init_subclass__(cls, kind=None, **kw):
        super().__init_subclass__(**kw)
        if kind:
            Polar.kinds[kind] = cls

    def __class_getitem__(cls, kind):
        return cls.kinds[kind]()

    def __call__(self, G):
        raise NotImplementedError


class QuinticPolar(Polar, kind="quintic"):
    def __call__(self, G):
        return _quintic(G)


class PolarBase:
    def update_for(self, g, group):
        return _quintic(g)


class QKVBlocks:
    def update_for(self, g, group):
        if g.size(0) == 3 * g.size(1):
            nxt = super()
            return torch.cat([nxt.update_for(part, group) for part in g.chunk(3, dim=0)])
        return super().update_for(g, group)


class FloatCast:
    def update_for(self, g, group):
        return super().update_for(g.float(), group).type_as(g)


class OrthoMomentum(FloatCast, PolarBase, torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, kind="quintic"):
        super().__init__(params, dict(lr=lr, momentum=momentum, kind=kind))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(self.update_for(p.grad.add(buf, alpha=group["momentum"]), group), alpha=-group["lr"])


attn = torch.nn.Linear(64, 3 * 64, bias=False)
opt = OrthoMomentum(attn.parameters())
