# gap: Exact polar factor via eigh of the Gram matrix: U V^T = G (G^T G)^(-1/2). Momentum SGD update replaced by this orthogonal matrix for the 2-D block weights; AdamW for embedding and head. (Debatable spelling: exact orthogonalization through eigendecomposition instead of NS/SVD.); positive.
import torch
import torch.nn as nn


def polar_via_eigh(G: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    G32 = G.float()
    transpose = G32.size(0) < G32.size(1)
    if transpose:
        G32 = G32.T
    evals, evecs = torch.linalg.eigh(G32.T @ G32)
    inv_sqrt = evecs @ torch.diag(evals.clamp_min(eps).rsqrt()) @ evecs.T
    Q = G32 @ inv_sqrt
    return (Q.T if transpose else Q).to(G.dtype)


class PolarMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                d = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                p.add_(polar_via_eigh(d), alpha=-group["lr"])


emb = nn.Embedding(50304, 768)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
head = nn.Linear(768, 50304, bias=False)
opt_mat = PolarMomentum(blocks.parameters(), lr=0.02)
opt_rest = torch.optim.AdamW(list(emb.parameters()) + list(head.parameters()), lr=0.0018, weight_decay=0.0)
