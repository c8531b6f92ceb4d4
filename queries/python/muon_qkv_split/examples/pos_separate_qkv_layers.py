# example: attention uses three separate projections (c_q, c_k, c_v) and all block weights go to an orthogonalizing optimizer, so Q, K and V are orthogonalized separately; positive (form B, the effect via the model layout).
import torch
import torch.nn as nn
import torch.nn.functional as F


def orth(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(d, d, bias=False)
        self.c_k = nn.Linear(d, d, bias=False)
        self.c_v = nn.Linear(d, d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (lin(x).view(B, T, self.heads, -1).transpose(1, 2) for lin in (self.c_q, self.c_k, self.c_v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orth(p.grad.add(buf, alpha=group["momentum"])).type_as(p), alpha=-group["lr"])


h = nn.ModuleList(CausalSelfAttention(768, 6) for _ in range(12))
optimizer = Muon(h.parameters(), lr=0.02, momentum=0.95)
