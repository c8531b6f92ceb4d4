# example: scale computed with math.sqrt(max(w.shape)) and folded into the step size alpha=-lr*scale after an SVD orthogonalization; positive (different expression, scale applied through alpha).
import math
import torch
from torch.optim import Optimizer


class OrthoSGD(Optimizer):
    def __init__(self, params, lr=0.00036, beta=0.95):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for w in grp["params"]:
                if w.grad is None:
                    continue
                mom = self.state[w].get("mom")
                if mom is None:
                    mom = self.state[w]["mom"] = torch.zeros_like(w.grad)
                mom.mul_(grp["beta"]).add_(w.grad)
                U, _, Vh = torch.linalg.svd(w.grad + grp["beta"] * mom, full_matrices=False)
                scale = math.sqrt(max(w.shape))
                w.add_(U @ Vh, alpha=-grp["lr"] * scale)


layers = torch.nn.ModuleList([torch.nn.Linear(768, 3072, bias=False), torch.nn.Linear(3072, 768, bias=False)])
opt = OrthoSGD(layers.parameters())
