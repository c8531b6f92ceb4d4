# example: a functional update applies the orthogonalized directions with torch._foreach_add_(leaves, outs,
# alpha=-lr), called from a train_step that runs backward itself and that the loop calls.
import torch
import torch.nn as nn


@torch.compile
def orthogonalize(G, steps: int = 5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    transposed = G.size(-2) > G.size(-1)
    if transposed:
        X = X.mT
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + (b * A + c * A @ A) @ X
    if transposed:
        X = X.mT
    return X


def update(grads, state, leaves, lr, momentum):
    torch._foreach_lerp_(state, grads, 1 - momentum)
    outs = [orthogonalize(b).to(p.dtype) for b, p in zip(state, leaves)]
    torch._foreach_add_(leaves, outs, alpha=-lr)


def train_step(model, batch, hidden, moments, lr, mom):
    loss = model(batch).float().pow(2).mean()
    loss.backward()
    with torch.no_grad():
        update([p.grad for p in hidden], moments, hidden, lr=lr, momentum=mom)
    for p in model.parameters():
        p.grad = None
    return loss.detach()


model = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)]).cuda()
hidden = list(model.parameters())
moments = [torch.zeros_like(p) for p in hidden]
for it in range(2000):
    batch = torch.randn(16, 512, device="cuda")
    train_step(model, batch, hidden, moments, 0.02, 0.95)
