# example: a pure function orthogonalizes the momentum each step but its result is only measured; the parameters move by plain momentum SGD; negative.
import torch


def ns5(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return X


def ortho_update(grad, buf, *, momentum):
    new_buf = torch.add(grad, buf, alpha=momentum)
    return ns5(new_buf), new_buf


def loss_fn(params, x):
    h = x
    for w in params["blocks"]:
        h = torch.tanh(h @ w)
    return h.square().mean()


params = {"blocks": [torch.randn(16, 16) for _ in range(3)]}
bufs = [torch.zeros_like(w) for w in params["blocks"]]
value_and_grad = torch.compile(torch.func.grad_and_value(loss_fn))
for step in range(100):
    grads, loss = value_and_grad(params, torch.randn(4, 16))
    with torch.no_grad():
        gaps = []
        for i, g in enumerate(grads["blocks"]):
            d, bufs[i] = ortho_update(g, bufs[i], momentum=0.95)
            gaps.append((d - bufs[i]).norm().item())
        torch._foreach_add_(params["blocks"], bufs, alpha=-0.02)
    print(step, sum(gaps))
