# example: an optimizer class named PolarSGD runs a while-loop Newton-Schulz (torch.mm with X.t()) on the Nesterov momentum and applies it with p.data.sub_; positive (other loop form, other matmul spelling).
import torch


def polar(M, iters=6):
    X = M / (M.norm() + 1e-7)
    i = 0
    while i < iters:
        G = torch.mm(X, X.t())
        X = 1.5 * X - 0.5 * torch.mm(G, X)
        i += 1
    return X


class PolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, mu=0.95):
        super().__init__(params, dict(lr=lr, mu=mu))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                if "v" not in state:
                    state["v"] = torch.zeros_like(p)
                state["v"].mul_(group["mu"]).add_(p.grad)
                update = p.grad.add(state["v"], alpha=group["mu"])
                p.data.sub_(group["lr"] * polar(update))


blocks = torch.nn.ModuleList(torch.nn.Linear(384, 384, bias=False) for _ in range(6))
head = torch.nn.Linear(384, 50304, bias=False)
opts = [PolarSGD(blocks.parameters()), torch.optim.Adam(head.parameters(), lr=0.002)]
