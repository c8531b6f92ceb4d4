# example: near miss - a class named Muon with a docstring about orthogonalization, but step() applies the raw Nesterov momentum with no Newton-Schulz/SVD; negative (name only).
import torch


class Muon(torch.optim.Optimizer):
    """Muon - MomentUm Orthogonalized by Newton-schulz (orthogonalization disabled for now)."""

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, backend_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, backend_steps=backend_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                buf = self.state[p].get("momentum_buffer")
                if buf is None:
                    buf = self.state[p]["momentum_buffer"] = torch.zeros_like(g)
                buf.mul_(group["momentum"]).add_(g)
                if group["nesterov"]:
                    g = g.add(buf, alpha=group["momentum"])
                p.add_(g, alpha=-group["lr"])


hidden = torch.nn.Linear(768, 768, bias=False)
head = torch.nn.Linear(768, 50257, bias=False)
opts = [Muon(hidden.parameters(), lr=0.02), torch.optim.AdamW(head.parameters(), lr=0.0018)]
