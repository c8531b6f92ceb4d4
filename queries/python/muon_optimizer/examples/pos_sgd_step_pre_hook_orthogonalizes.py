# example: a plain momentum-free SGD whose step pre-hook keeps a Nesterov momentum and swaps each gradient for its Newton-Schulz orthogonalization; positive.
import torch
import torch.nn as nn


def orthogonalize(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


class MomentumOrthoPreHook:
    def __init__(self, beta=0.95):
        self.beta = beta

    @torch.no_grad()
    def __call__(self, optimizer, args, kwargs):
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = optimizer.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(self.beta).add_(p.grad)
                p.grad.copy_(orthogonalize(p.grad.add(buf, alpha=self.beta)))


def main():
    model = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False))
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.0)
    opt.register_step_pre_hook(MomentumOrthoPreHook(beta=0.95))
    for _ in range(10):
        loss = model(torch.randn(8, 64)).square().mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
