# example: a pure Adam update function returns its step and the helper that applies it decays the weights by 0.1; negative.
import torch


def adam_update(grad, state, *, betas, eps):
    b1, b2 = betas
    t = state["t"] + 1
    m = torch.lerp(state["m"], grad, 1 - b1)
    v = torch.lerp(state["v"], grad.square(), 1 - b2)
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    direction = m_hat / (v_hat.sqrt() + eps)
    return direction, {"m": m, "v": v, "t": t}


def apply_updates(leaves, directions, lr, weight_decay=0.0):
    if weight_decay > 0.0:
        torch._foreach_mul_(leaves, 1.0 - lr * weight_decay)
    torch._foreach_add_(leaves, directions, alpha=-lr)


def loss_fn(params, x):
    return torch.tanh(x @ params["w"]).square().mean()


params = {"w": torch.randn(16, 16)}
state = {"m": torch.zeros(16, 16), "v": torch.zeros(16, 16), "t": 0}
grad_fn = torch.func.grad_and_value(loss_fn)
for step in range(100):
    grads, loss = grad_fn(params, torch.randn(4, 16))
    with torch.no_grad():
        d, state = adam_update(grads["w"], state, betas=(0.9, 0.95), eps=1e-8)
        apply_updates([params["w"]], [d], 1e-3, weight_decay=0.1)
