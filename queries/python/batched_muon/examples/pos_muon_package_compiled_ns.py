# example: the muon package's Newton-Schulz (batched over leading dimensions) compiled under another name and called on the momentum of every parameter, stacked (3, d, d) weights included.
import torch
import torch.nn as nn
import muon

ns = torch.compile(muon.zeropower_via_newtonschulz5)


class StackedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        params = list(params)
        assert all(p.ndim >= 2 for p in params)
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(ns(buf, 5), alpha=-group["lr"])


qkv = nn.Parameter(torch.randn(3, 768, 768))
opt = StackedMuon([qkv], lr=0.02)
