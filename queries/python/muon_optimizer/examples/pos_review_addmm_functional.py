# example: functional optimizer state (dict of momentum buffers) and an orthogonalize() that spells the quintic Newton-Schulz with torch.mm / torch.addmm; the update is applied in the training loop; positive.
import torch
import torch.nn.functional as F


def orthogonalize(M, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    X = X / (X.norm() + 1e-7)
    for _ in range(iters):
        A = torch.mm(X, X.t())
        B = torch.addmm(A, A, A, beta=b, alpha=c)
        X = torch.addmm(X, B, X, beta=a)
    return X.to(M.dtype)


def apply_updates(weights, buffers, lr=0.02, beta=0.95):
    with torch.no_grad():
        for name, w in weights.items():
            buf = buffers.setdefault(name, torch.zeros_like(w))
            buf.mul_(beta).add_(w.grad)
            direction = orthogonalize(w.grad + beta * buf)
            w.sub_(lr * direction)
            w.grad = None


weights = {"w1": torch.randn(256, 256, requires_grad=True), "w2": torch.randn(256, 256, requires_grad=True)}
buffers = {}
for step in range(200):
    x = torch.randn(32, 256)
    loss = F.mse_loss(torch.relu(x @ weights["w1"]) @ weights["w2"], x)
    loss.backward()
    apply_updates(weights, buffers)
