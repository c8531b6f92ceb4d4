# example: optimizer flags fused QKV params (rows == 3 * cols) and orthogonalizes each d x d row slice g[i*d:(i+1)*d] in a loop over range(3), writing results into a buffer; positive (slicing instead of split/chunk).
import torch


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class BlockMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                if "mom" not in state:
                    state["mom"] = torch.zeros_like(p)
                mom = state["mom"]
                mom.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(mom, alpha=group["momentum"])
                rows, cols = g.shape
                if rows == 3 * cols:
                    out = torch.empty_like(g)
                    for i in range(3):
                        out[i * cols:(i + 1) * cols] = newton_schulz(g[i * cols:(i + 1) * cols])
                    g = out
                else:
                    g = newton_schulz(g)
                p.add_(g.type_as(p), alpha=-group["lr"])


qkv = torch.nn.Linear(768, 3 * 768, bias=False)
opt = BlockMuon(qkv.parameters())
