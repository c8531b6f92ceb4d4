# example: near miss - sqrt and max both appear, but the applied scale is sqrt(min(rows, cols)) and the max-based value is only logged; negative.
import math
import torch


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.last_scale = {}

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(buf, full_matrices=False)
                m, n = p.shape
                self.last_scale[p] = math.sqrt(max(m, n))  # diagnostics only
                p.add_(U @ Vh, alpha=-group["lr"] * math.sqrt(min(m, n)))


opt = OrthoMomentum(torch.nn.Linear(512, 2048, bias=False).parameters())
