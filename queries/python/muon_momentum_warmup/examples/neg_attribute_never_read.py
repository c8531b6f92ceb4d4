# example: the loop ramps ortho.momentum, but the optimizer's update reads self.beta, a momentum fixed when it was built, never that attribute; NOT present.
import torch


def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Ortho:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr
        self.momentum = 0.95
        self.beta = 0.95
        self.bufs = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for p, buf in zip(self.params, self.bufs):
            buf.lerp_(p.grad, 1 - self.beta)
            p.add_(orthogonalize(p.grad.lerp(buf, self.beta)).to(p.dtype), alpha=-self.lr)


MOM_RAMP = 300
matrices = [torch.randn(768, 768, requires_grad=True) for _ in range(4)]
ortho = Ortho(matrices, lr=0.05)
for step in range(1000):
    loss = sum(m.square().sum() for m in matrices)
    loss.backward()
    ramp = min(step / MOM_RAMP, 1.0)
    ortho.momentum = (1 - ramp) * 0.85 + ramp * 0.95
    ortho.step()
