# example: einops: the (3d, d) momentum is rearranged to (3, d, d), orthogonalized as a batch, rearranged back; positive.
import torch
from einops import rearrange


def batched_ns(X, steps=5):
    X = X.bfloat16()
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.transpose(-1, -2)
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class FusedQKVMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                if "m" not in st:
                    st["m"] = torch.zeros_like(p)
                st["m"].mul_(group["momentum"]).add_(p.grad)
                g = p.grad + group["momentum"] * st["m"]
                out_dim, in_dim = g.shape
                if out_dim == 3 * in_dim:
                    upd = rearrange(batched_ns(rearrange(g, "(s d) c -> s d c", s=3)), "s d c -> (s d) c")
                else:
                    upd = batched_ns(g)
                p.add_(upd.type_as(p), alpha=-group["lr"])


opt = FusedQKVMuon([torch.nn.Parameter(torch.randn(2304, 768)), torch.nn.Parameter(torch.randn(768, 768))])
