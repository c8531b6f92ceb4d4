# example: the fused qkv gradient is reshaped to (3, d, d) via torch.stack(chunk(3)) and orthogonalized as a batch over the leading dim, then flattened back; positive (batched spelling of the per-block split).
import torch


def orthogonalize_batched(G, steps=5):
    X = G.bfloat16()
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class SplitQKVMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, qkv_params=()):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.qkv_ids = {id(p) for p in qkv_params}

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                m.mul_(group["momentum"]).add_(p.grad)
                upd = p.grad + group["momentum"] * m
                if id(p) in self.qkv_ids:
                    blocks = torch.stack(upd.chunk(3, dim=0))
                    upd = orthogonalize_batched(blocks).flatten(0, 1)
                else:
                    upd = orthogonalize_batched(upd)
                p.add_(upd.type_as(p), alpha=-group["lr"])


qkv = [torch.nn.Linear(768, 2304, bias=False) for _ in range(12)]
others = [torch.nn.Linear(768, 768, bias=False) for _ in range(12)]
weights = [m.weight for m in qkv + others]
opt = SplitQKVMuon(weights, qkv_params=[m.weight for m in qkv])
