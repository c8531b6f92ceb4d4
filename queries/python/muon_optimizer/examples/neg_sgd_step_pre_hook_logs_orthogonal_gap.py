# example: a step pre-hook on plain SGD that orthogonalizes each gradient only to log how far it is from orthogonal, leaving the gradient the step applies untouched; negative.
import torch
import torch.nn as nn


def orthogonalize(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


class OrthogonalGapProbe:
    def __init__(self):
        self.gaps = []

    @torch.no_grad()
    def __call__(self, optimizer, args, kwargs):
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                gap = (orthogonalize(p.grad) - p.grad / p.grad.norm()).norm().item()
                self.gaps.append(gap)


def main():
    model = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False))
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True)
    opt.register_step_pre_hook(OrthogonalGapProbe())
    for _ in range(10):
        loss = model(torch.randn(8, 64)).square().mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
