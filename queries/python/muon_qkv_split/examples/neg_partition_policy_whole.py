# example: the same policy and strategy objects, but the policy the optimizer holds always hands back the whole matrix ([g]); the fused QKV gradient is orthogonalized jointly; negative.
import torch


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.to(G.dtype)


class NewtonSchulzBackend:
    def __call__(self, G):
        return newton_schulz(G)


class WholeMatrix:
    def partition(self, g):
        return [g]


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, partition=None):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.backend = NewtonSchulzBackend()
        self.partition = partition or WholeMatrix()

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                blocks = self.partition.partition(buf)
                p.add_(torch.cat([self.backend(b) for b in blocks]), alpha=-group["lr"])


attn = torch.nn.Linear(64, 3 * 64, bias=False)
opt = Muon(attn.parameters())
