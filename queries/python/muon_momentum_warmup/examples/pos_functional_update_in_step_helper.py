# example: functional code: the orthogonalized update takes its momentum as an argument, and the step helper the
# training loop calls hands it a ramp from 0.85 to 0.95 over 300 steps.
import torch
import torch.nn as nn


def polar(m, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = m.bfloat16() / (m.norm() + 1e-7)
    for _ in range(iters):
        s = x @ x.T
        x = a * x + (b * s + c * s @ s) @ x
    return x.to(m.dtype)


def ortho_apply(tensors, buffers, lr, beta):
    for w, buf in zip(tensors, buffers):
        buf.mul_(beta).add_(w.grad)
        w.data.add_(polar(w.grad.add(buf, alpha=beta)), alpha=-lr)


def adam_apply(tensors, first, second, lr, t, b1=0.9, b2=0.95, eps=1e-8):
    grads = [w.grad for w in tensors]
    torch._foreach_lerp_(first, grads, 1 - b1)
    torch._foreach_mul_(second, b2)
    torch._foreach_addcmul_(second, grads, grads, value=1 - b2)
    denom = torch._foreach_sqrt(second)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(tensors, first, denom, value=-lr / (1 - b1 ** t))


class Net(nn.Module):
    def __init__(self, width=256, depth=4):
        super().__init__()
        self.mats = nn.ParameterList([nn.Parameter(torch.randn(width, width) * 0.02) for _ in range(depth)])
        self.gains = nn.ParameterList([nn.Parameter(torch.ones(width)) for _ in range(depth)])

    def forward(self, x):
        for w, g in zip(self.mats, self.gains):
            x = x + torch.relu(x @ w) * g
        return x.pow(2).mean()


net = Net()
hidden = [p for p in net.parameters() if p.ndim == 2]
small = [p for p in net.parameters() if p.ndim < 2]
buffers = [torch.zeros_like(w) for w in hidden]
first = [torch.zeros_like(w) for w in small]
second = [torch.zeros_like(w) for w in small]


def beta_at(step):
    return 0.85 + 0.10 * min(step / 300, 1.0)


def apply_updates(step):
    ortho_apply(hidden, buffers, 0.02, beta_at(step))
    adam_apply(small, first, second, 0.01, step + 1)


for step in range(1000):
    net(torch.randn(8, 256)).backward()
    apply_updates(step)
    net.zero_grad(set_to_none=True)
