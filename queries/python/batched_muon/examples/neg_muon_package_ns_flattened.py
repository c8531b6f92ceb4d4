# example: the muon package's Newton-Schulz is called, but only on 2-D weights: parameters with more dimensions are refused. NOT batched_muon (near miss).
import torch
import torch.nn as nn
from muon import zeropower_via_newtonschulz5


class PlainMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        params = [p for p in params if p.ndim == 2]
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(zeropower_via_newtonschulz5(buf, 5), alpha=-group["lr"])


w = nn.Parameter(torch.randn(768, 768))
opt = PlainMuon([w], lr=0.02)
