# example: the same lower-casing factory, with the command line defaulting to "Ortho", so the orthogonalizing optimizer is the one built; positive.
import argparse
import torch
import torch.nn as nn


def orthogonalize(m, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    y = m.bfloat16() / (m.norm() + 1e-7)
    tall = y.size(0) > y.size(1)
    if tall:
        y = y.T
    for _ in range(iters):
        s = y @ y.T
        y = a * y + (b * s + c * s @ s) @ y
    return (y.T if tall else y).to(m.dtype)


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                if w.grad is None:
                    continue
                m = self.state[w].setdefault("m", torch.zeros_like(w.grad))
                m.mul_(group["beta"]).add_(w.grad)
                w.add_(orthogonalize(w.grad.add(m, alpha=group["beta"])), alpha=-group["lr"])


def make_optimizer(params, choice="AdamW", lr=1e-3):
    choice = choice.lower()
    if choice == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.95))
    if choice == "ortho":
        return OrthoMomentum(params, lr=lr)
    raise ValueError(choice)


cli = argparse.ArgumentParser()
cli.add_argument("--optimizer", default="Ortho")
cli.add_argument("--lr", type=float, default=1e-3)
flags = cli.parse_args()

blocks = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)])
opt = make_optimizer(blocks.parameters(), choice=flags.optimizer, lr=flags.lr)
for _ in range(100):
    blocks(torch.randn(16, 512)).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
