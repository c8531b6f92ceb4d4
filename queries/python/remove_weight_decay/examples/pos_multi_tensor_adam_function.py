# example: the only optimizer is a multi-tensor Adam written as a function over lists (torch._foreach_* moments, _foreach_addcdiv_ step) with no decay term at all; positive.
import torch

PEAK = 1e-3
TOTAL = 6000


def lr_for(it):
    if it < 100:
        return PEAK * (it + 1) / 100
    if it < TOTAL - 1500:
        return PEAK
    return PEAK * (TOTAL - it) / 1500


@torch.no_grad()
def multi_adam(weights, grads, avg, avg_sq, t, lr, b1=0.9, b2=0.95, eps=1e-8):
    torch._foreach_mul_(avg, b1)
    torch._foreach_add_(avg, grads, alpha=1 - b1)
    torch._foreach_mul_(avg_sq, b2)
    torch._foreach_addcmul_(avg_sq, grads, grads, value=1 - b2)
    root = torch._foreach_sqrt(avg_sq)
    torch._foreach_add_(root, eps)
    torch._foreach_addcdiv_(weights, avg, root, value=-lr / (1 - b1 ** t))


net = torch.nn.Sequential(torch.nn.Linear(32, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
weights = list(net.parameters())
avg = [torch.zeros_like(w) for w in weights]
avg_sq = [torch.zeros_like(w) for w in weights]
for it in range(TOTAL):
    loss = net(torch.randn(8, 32)).square().mean()
    loss.backward()
    multi_adam(weights, [w.grad for w in weights], avg, avg_sq, it + 1, lr_for(it))
    net.zero_grad(set_to_none=True)
