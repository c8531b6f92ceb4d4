# example: the same out-of-place unit-norm helper, but its result is only logged (unit = unit_norm(grads)); the optimizer steps on the raw gradients; negative.
import torch


def adamw_update(params, grads, state, *, lr, betas=(0.9, 0.95), eps=1e-8):
    b1, b2 = betas
    m, v = state["m"], state["v"]
    torch._foreach_lerp_(m, grads, 1 - b1)
    torch._foreach_mul_(v, b2)
    torch._foreach_addcmul_(v, grads, grads, value=1 - b2)
    denom = torch._foreach_sqrt(v)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(params, m, denom, value=-lr)
    return state


def unit_norm(grads, eps=1e-6):
    norms = torch._foreach_norm(grads)
    torch._foreach_add_(norms, eps)
    return torch._foreach_div(grads, norms)


def forward(flat, x):
    for w in flat:
        x = torch.relu(x @ w)
    return x.pow(2).mean()


def main():
    flat = [torch.randn(256, 256, requires_grad=True) for _ in range(4)]
    state = {"m": [torch.zeros_like(p) for p in flat], "v": [torch.zeros_like(p) for p in flat]}

    def loss_and_grads(x):
        loss = forward(flat, x)
        g = torch.autograd.grad(loss, flat)
        return loss.detach(), list(g)

    for step in range(1000):
        loss, grads = loss_and_grads(torch.randn(8, 256))
        unit = unit_norm(grads)
        print(step, max(float(u.abs().max()) for u in unit))
        with torch.no_grad():
            state = adamw_update(flat, grads, state, lr=0.0018)


main()
