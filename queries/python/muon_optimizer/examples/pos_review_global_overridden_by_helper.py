# example: main() sets the global optimizer choice to its default, then a helper overrides that global from the command line, which selects the orthogonalizing optimizer; positive.
import sys
import torch
import torch.nn as nn

OPTIMIZER = None


def orthogonalize(m, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    y = m.bfloat16() / (m.norm() + 1e-7)
    for _ in range(iters):
        s = y @ y.T
        y = a * y + (b * s + c * s @ s) @ y
    return y.to(m.dtype)


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w.grad))
                m.mul_(group["beta"]).add_(w.grad)
                w.add_(orthogonalize(w.grad.add(m, alpha=group["beta"])), alpha=-group["lr"])


def apply_cli_overrides(argv):
    global OPTIMIZER
    OPTIMIZER = argv[1] if len(argv) > 1 else "ortho"


def main():
    global OPTIMIZER
    OPTIMIZER = "adamw"  # default, the command line may override it
    apply_cli_overrides(sys.argv)
    blocks = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)])
    if OPTIMIZER == "ortho":
        opt = OrthoMomentum(blocks.parameters())
    else:
        opt = torch.optim.AdamW(blocks.parameters(), lr=1e-3)
    for _ in range(100):
        blocks(torch.randn(16, 512)).square().mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


main()
