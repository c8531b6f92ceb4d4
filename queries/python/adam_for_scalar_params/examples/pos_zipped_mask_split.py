# example: a mask of dimensionality tests zipped with the leaves splits them: matrices to a functional Muon step, the rest to a functional foreach Adam step; positive.
import torch
import torch.nn.functional as F


def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


def muon_step(weights, grads, bufs, *, lr, momentum):
    for w, g, buf in zip(weights, grads, bufs):
        buf.mul_(momentum).add_(g)
        w.data.add_(orthogonalize(g.add(buf, alpha=momentum)), alpha=-lr)


def adam_apply(leaves, grads, state, *, lr, betas=(0.9, 0.95), eps=1e-8):
    b1, b2 = betas
    torch._foreach_lerp_(state["m"], grads, 1 - b1)
    torch._foreach_mul_(state["v"], b2)
    torch._foreach_addcmul_(state["v"], grads, grads, value=1 - b2)
    denom = torch._foreach_sqrt(state["v"])
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(leaves, state["m"], denom, value=-lr)
    return state


def init_params(width=256, depth=4):
    return [{"w": torch.randn(width, width, requires_grad=True), "gain": torch.ones(width, requires_grad=True)}
            for _ in range(depth)]


def forward(blocks, x):
    for b in blocks:
        x = x + torch.relu(x @ b["w"]) * b["gain"]
    return x.pow(2).mean()


def leaves_of(blocks):
    return [t for b in blocks for t in b.values()]


blocks = init_params()
leaves = leaves_of(blocks)
is_matrix = [p.ndim == 2 for p in leaves]
matrix_leaves = [p for p, m in zip(leaves, is_matrix) if m]
other_leaves = [p for p, m in zip(leaves, is_matrix) if not m]
bufs = [torch.zeros_like(w) for w in matrix_leaves]
state = {"m": [torch.zeros_like(p) for p in other_leaves], "v": [torch.zeros_like(p) for p in other_leaves],
         "step": [torch.zeros(()) for _ in other_leaves]}
for step in range(1000):
    forward(blocks, torch.randn(8, 256)).backward()
    with torch.no_grad():
        muon_step(matrix_leaves, [p.grad for p in matrix_leaves], bufs, lr=0.02, momentum=0.95)
        state = adam_apply(other_leaves, [p.grad for p in other_leaves], state, lr=0.01)
    for p in leaves:
        p.grad = None
