# example: the momentum ramp (0.85 to 0.95 over 500 steps) is written every step into the optimizer's `defaults`, but
# the update reads its param groups, which copied the momentum when the optimizer was built: it stays 0.95; negative.
import torch


def orthogonal(g, rounds=5):
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(rounds):
        a = x @ x.mT
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class StackMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonal(p.grad.add(buf, alpha=group["momentum"])).type_as(p), alpha=-group["lr"])


stack = torch.nn.Parameter(torch.randn(12, 768, 768) * 0.02)
opt = StackMuon([stack])
for step in range(3000):
    stack.square().sum().backward()
    warm = min(step / 500, 1.0)
    opt.defaults["momentum"] = 0.85 + 0.10 * warm
    opt.step()
    opt.zero_grad(set_to_none=True)
