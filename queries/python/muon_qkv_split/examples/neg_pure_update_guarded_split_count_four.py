# example: a pure Muon update function splits under a test n_splits > 1 but the count is always the default 4 (the MLP's shape), never 3, and the fused QKV weight is orthogonalized in four blocks; negative.
import torch


def ns5(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X


def muon_update(grad, buf, *, momentum, n_splits=4):
    new_buf = torch.add(grad, buf, alpha=momentum)
    g = torch.add(grad, new_buf, alpha=momentum)
    if n_splits > 1:
        update = torch.cat([ns5(chunk) for chunk in g.chunk(n_splits, dim=0)], dim=0)
    else:
        update = ns5(g)
    return update, new_buf


def loss_fn(params, x):
    h = x
    for blk in params["blocks"]:
        q, k, v = (h @ blk["qkv"].T).chunk(3, dim=-1)
        h = h + torch.softmax(q @ k.T, -1) @ v @ blk["out"].T
    return h.square().mean()


d = 16
params = {"blocks": [{"qkv": torch.randn(3 * d, d), "out": torch.randn(d, d)} for _ in range(2)]}
leaves = [p for blk in params["blocks"] for p in (blk["qkv"], blk["out"])]
splits = [1 for _ in range(2) for n in ("qkv", "out")]
bufs = [torch.zeros_like(p) for p in leaves]
value_and_grad = torch.compile(torch.func.grad_and_value(loss_fn))
for step in range(100):
    grads, loss = value_and_grad(params, torch.randn(4, d))
    grad_leaves = [g for blk in grads["blocks"] for g in (blk["qkv"], blk["out"])]
    with torch.no_grad():
        updates = []
        for i, (g, n) in enumerate(zip(grad_leaves, splits)):
            u, bufs[i] = muon_update(g, bufs[i], momentum=0.95)
            updates.append(u)
        torch._foreach_add_(leaves, updates, alpha=-0.02)
