# example: a Shampoo-like optimizer accumulates Gram statistics G @ G.T and G.T @ G and preconditions by their inverse 4th roots (eigh); no orthogonalization of the momentum; negative.
import torch


def inv_root(M, p=4, eps=1e-6):
    vals, vecs = torch.linalg.eigh(M + eps * torch.eye(M.size(0), device=M.device))
    return vecs @ torch.diag(vals.clamp_min(eps) ** (-1.0 / p)) @ vecs.T


class Shampoo(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                G = p.grad
                state = self.state[p]
                if not state:
                    state["L"] = torch.zeros(G.size(0), G.size(0), device=G.device)
                    state["R"] = torch.zeros(G.size(1), G.size(1), device=G.device)
                    state["buf"] = torch.zeros_like(G)
                state["L"].add_(G @ G.T)
                state["R"].add_(G.T @ G)
                update = inv_root(state["L"]) @ G @ inv_root(state["R"])
                state["buf"].mul_(group["momentum"]).add_(update)
                p.add_(state["buf"], alpha=-group["lr"])


layers = torch.nn.Sequential(torch.nn.Linear(128, 128, bias=False), torch.nn.Linear(128, 128, bias=False))
opt = Shampoo(layers.parameters())
