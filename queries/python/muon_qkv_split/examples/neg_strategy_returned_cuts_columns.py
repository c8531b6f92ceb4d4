# example: near miss - the chooser returns a strategy that is called at once (cut_for(u)(u)), but for a (3d, d) matrix it cuts along the columns (u.chunk(3, dim=1)), not into the q, k and v row blocks; negative.
import torch


def polar(M, iters=5):
    X = M.bfloat16() / (M.norm() + 1e-7)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    for _ in range(iters):
        S = X @ X.T
        X = 3.4445 * X + (-4.7750 * S + 2.0315 * S @ S) @ X
    return (X.T if tall else X).to(M.dtype)


def keep_whole(u):
    return (u,)


def unstack_thirds(u):
    width = u.size(1)
    return tuple(u.chunk(3, dim=1))


def cut_for(u):
    height, width = u.shape
    return unstack_thirds if height == 3 * width else keep_whole


class BlockPolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                acc = self.state[w].setdefault("acc", torch.zeros_like(w))
                acc.mul_(group["beta"]).add_(w.grad)
                direction = torch.cat([polar(part) for part in cut_for(acc)(acc)], dim=0)
                w.add_(direction, alpha=-group["lr"])


attn = torch.nn.Linear(64, 3 * 64, bias=False)
opt = BlockPolarSGD(attn.parameters())
attn(torch.randn(4, 64)).sum().backward()
opt.step()
