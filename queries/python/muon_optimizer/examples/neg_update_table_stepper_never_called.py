# example (negative): the same routes and stepper closure are built, but the training loop steps every weight
# with plain SGD and never calls the stepper: no orthogonalized update runs.
import functools

import torch
import torch.nn as nn


def orthogonalize(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x.to(g.dtype)


def sgd_apply(weights, state, lr):
    for w in weights:
        w.data.add_(w.grad, alpha=-lr)
    return state


def ortho_apply(weights, state, lr, beta):
    for w, buf in zip(weights, state):
        buf.mul_(beta).add_(w.grad)
        w.data.add_(orthogonalize(buf), alpha=-lr)
    return state


def build_stepper(beta):
    routes = [
        ("head", functools.partial(sgd_apply)),
        ("hidden", functools.partial(ortho_apply, beta=beta)),
    ]
    def step(groups, states, lrs):
        return {name: fn(groups[name], states[name], lrs[name]) for name, fn in routes}
    return step


class Net(nn.Module):
    def __init__(self, width=256, vocab=50304):
        super().__init__()
        self.hidden = nn.Linear(width, width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, x):
        return self.head(torch.relu(self.hidden(x))).logsumexp(-1).mean()


net = Net()
groups = {"head": [net.head.weight], "hidden": [net.hidden.weight]}
states = {"head": None, "hidden": [torch.zeros_like(net.hidden.weight)]}
stepper = build_stepper(0.95)
for it in range(1000):
    net(torch.randn(8, 256)).backward()
    sgd_apply(list(net.parameters()), None, 0.01)
    net.zero_grad(set_to_none=True)
