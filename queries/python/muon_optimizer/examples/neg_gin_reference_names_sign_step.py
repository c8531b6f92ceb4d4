# example: the same optimizer keeping a gin-bound function in its groups, but the binding names a sign step (`OrthoSGD.ortho_fn = @sign_step`), which scales nothing toward orthogonality; NOT present.
import gin
import torch

BINDINGS = """
newton_schulz.steps = 5
OrthoSGD.lr = 0.02
OrthoSGD.momentum = 0.95
OrthoSGD.ortho_fn = @sign_step
"""


@gin.configurable
def sign_step(G):
    return G.sign() * 0.01


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
