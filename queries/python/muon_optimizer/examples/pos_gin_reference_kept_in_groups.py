# example: the orthogonalizing function reaches the optimizer only through a gin binding (`OrthoSGD.ortho_fn = @newton_schulz`), is kept in its groups by the defaults handed to the base class and called as `fn = group["ortho_fn"]; fn(g)`; present.
import gin
import torch

BINDINGS = """
newton_schulz.steps = 5
OrthoSGD.lr = 0.02
OrthoSGD.momentum = 0.95
OrthoSGD.ortho_fn = @newton_schulz
"""


@gin.configurable
def newton_schulz(G, steps=gin.REQUIRED):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


@gin.configurable
class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=gin.REQUIRED, momentum=gin.REQUIRED, ortho_fn=gin.REQUIRED):
        super().__init__(params, dict(lr=lr, momentum=momentum, ortho_fn=ortho_fn))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            fn = group["ortho_fn"]
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(fn(buf), alpha=-group["lr"])


gin.parse_config(BINDINGS)
weights = [torch.nn.Parameter(torch.randn(256, 256) * 0.02) for _ in range(4)]
opt = OrthoSGD(weights)
for step in range(100):
    sum((w @ torch.randn(256, 8)).square().mean() for w in weights).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
