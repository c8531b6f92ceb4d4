# example: functools.reduce folds Gram statistics of each gradient into an accumulator (Shampoo-style L + G @ G.T) used to precondition; the folded step's Gram product is of the gradient, not of the accumulator; negative (no Newton-Schulz iteration).
import functools

import torch


def accumulate(L, G):
    return L + G @ G.T


def inv_root(M, eps=1e-6):
    vals, vecs = torch.linalg.eigh(M + eps * torch.eye(M.size(0), device=M.device))
    return vecs @ torch.diag(vals.clamp_min(eps) ** -0.25) @ vecs.T


class GramSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            grads = [p.grad for p in group["params"]]
            for p in group["params"]:
                history = self.state[p].setdefault("history", [])
                history.append(p.grad.clone())
                L = functools.reduce(lambda acc, g: accumulate(acc, g), history, torch.zeros(p.size(0), p.size(0)))
                p.add_(inv_root(L) @ p.grad, alpha=-group["lr"])


layers = torch.nn.Sequential(*[torch.nn.Linear(128, 128, bias=False) for _ in range(2)])
opt = GramSGD(layers.parameters())
