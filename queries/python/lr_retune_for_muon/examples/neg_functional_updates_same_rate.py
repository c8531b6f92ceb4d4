# example: near miss - the same functional step with scheduled rates, but the orthogonalized update runs at the full base (ratio 1.0, 0.0036); negative (Muon is not at one tenth).
import torch

BASE_LR = 0.0036
ORTHO_RATIO = 1.0
STEPS = 1000


def multiplier(step):
    return 1.0 if step < 0.7 * STEPS else (STEPS - step) / (0.3 * STEPS)


def ns_update(g, buf, momentum=0.95):
    buf.mul_(momentum).add_(g)
    x = buf / (buf.norm() + 1e-7)
    for _ in range(5):
        a = x @ x.T
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x, buf


def head_adam(leaves, grads, m, v, steps, *, lr):
    torch.optim.adamw.adamw(leaves, grads, m, v, [], steps, foreach=False, amsgrad=False, beta1=0.9, beta2=0.95,
                            lr=lr, weight_decay=0.0, eps=1e-8, maximize=False)


head = torch.randn(50304, 768, requires_grad=True)
hidden = [torch.randn(768, 768, requires_grad=True) for _ in range(12)]
m, v, t = [torch.zeros_like(head)], [torch.zeros_like(head)], [torch.zeros(())]
bufs = [torch.zeros_like(w) for w in hidden]
for step in range(STEPS):
    loss = (head.sum() + sum(w.sum() for w in hidden))
    loss.backward()
    mult = multiplier(step)
    head_lr = BASE_LR * mult
    ortho_lr = ORTHO_RATIO * BASE_LR * mult
    with torch.no_grad():
        head_adam([head], [head.grad], m, v, t, lr=head_lr)
        updates = []
        for i, w in enumerate(hidden):
            u, bufs[i] = ns_update(w.grad, bufs[i])
            updates.append(u)
        torch._foreach_add_(hidden, updates, alpha=-ortho_lr)
