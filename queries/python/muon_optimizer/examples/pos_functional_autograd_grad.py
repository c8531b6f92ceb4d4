# example: a functional training loop: gradients from torch.autograd.grad (no backward()), and a pure update function that orthogonalizes the momentum of each matrix in place; positive.
import torch


def orthogonalize(m, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = m / (m.norm() + 1e-7)
    for _ in range(iters):
        s = x @ x.transpose(0, 1)
        sx = s @ x
        x = a * x + b * sx + c * (s @ sx)
    return x


@torch.no_grad()
def apply_updates(leaves, grads, state, lr=0.02, momentum=0.95):
    for i, (leaf, g) in enumerate(zip(leaves, grads)):
        buf = state[i]
        buf.mul_(momentum).add_(g)
        leaf.add_(orthogonalize(g + momentum * buf), alpha=-lr)


def loss_fn(leaves, x):
    h = x
    for w in leaves:
        h = torch.tanh(h @ w)
    return h.square().mean()


leaves = [torch.randn(16, 16, requires_grad=True) for _ in range(3)]
state = [torch.zeros(16, 16) for _ in leaves]
for step in range(100):
    loss = loss_fn(leaves, torch.randn(8, 16))
    grads = torch.autograd.grad(loss, leaves)
    apply_updates(leaves, grads, state)
