# example: an optimizer laid out like PyTorch's own: the class's step gathers each group's tensors and calls a functional adam_lite, which picks its implementation through a local name (func = a if foreach else b); built with eps=1e-10; present.
import math

import torch
from torch.optim.optimizer import Optimizer


class AdamLite(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=None):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, foreach=foreach))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params, grads, ms, vs, steps = [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"], st["m"], st["v"] = torch.tensor(0.0), torch.zeros_like(p), torch.zeros_like(p)
                params.append(p)
                grads.append(p.grad)
                ms.append(st["m"])
                vs.append(st["v"])
                steps.append(st["step"])
            beta1, beta2 = group["betas"]
            adam_lite(params, grads, ms, vs, steps, lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                      foreach=group["foreach"])


def adam_lite(params, grads, ms, vs, steps, *, lr, beta1, beta2, eps, foreach=None):
    func = _foreach_adam_lite if foreach else _single_tensor_adam_lite
    func(params, grads, ms, vs, steps, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def _single_tensor_adam_lite(params, grads, ms, vs, steps, *, lr, beta1, beta2, eps):
    for p, g, m, v, step_t in zip(params, grads, ms, vs, steps):
        step_t += 1
        step = step_t.item()
        m.lerp_(g, 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = (v.sqrt() / math.sqrt(1 - beta2 ** step)).add_(eps)
        p.addcdiv_(m, denom, value=-lr / (1 - beta1 ** step))


def _foreach_adam_lite(params, grads, ms, vs, steps, *, lr, beta1, beta2, eps):
    for p, g, m, v, s in zip(params, grads, ms, vs, steps):
        _single_tensor_adam_lite([p], [g], [m], [v], [s], lr=lr, beta1=beta1, beta2=beta2, eps=eps)


model = torch.nn.Linear(768, 768)
optimizer = AdamLite(model.parameters(), lr=0.002, betas=(0.9, 0.95), eps=1e-10)
