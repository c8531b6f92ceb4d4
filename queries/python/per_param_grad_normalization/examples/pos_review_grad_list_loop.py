# example: the grads are first gathered into a list, then a loop over that list divides each in place by its own norm (torch.norm) plus eps; functional training step; positive.
import torch
import torch.nn.functional as F


def loss_fn(weights, x, y):
    h = torch.tanh(x @ weights[0])
    return F.mse_loss(h @ weights[1], y)


def train_step(weights, x, y, lr=0.01, eps=1e-7):
    loss = loss_fn(weights, x, y)
    loss.backward()
    grads = [w.grad for w in weights]
    for g in grads:
        g /= torch.norm(g) + eps
    with torch.no_grad():
        for w in weights:
            w -= lr * w.grad
            w.grad = None
    return loss.detach()


weights = [torch.randn(64, 128, requires_grad=True), torch.randn(128, 8, requires_grad=True)]
for step in range(100):
    train_step(weights, torch.randn(16, 64), torch.randn(16, 8))
