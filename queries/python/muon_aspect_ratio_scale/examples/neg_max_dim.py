# example: near miss - sqrt of max over the two sizes, max(g.size(0), g.size(1))**0.5 (the record-4 rule); negative for the aspect-ratio id.
import torch


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                U, _, Vh = torch.linalg.svd(g, full_matrices=False)
                g = U @ Vh
                g *= max(g.size(0), g.size(1)) ** 0.5
                p.add_(g, alpha=-group["lr"])
