# example: Form B: attention projections kept as an nn.ModuleDict {"query","key","value"} of separate d x d linears; every 2-D block weight goes to the orthogonalizing optimizer (SVD polar factor); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttn(nn.Module):
    def __init__(self, d=768, heads=12):
        super().__init__()
        self.heads = heads
        self.proj = nn.ModuleDict({name: nn.Linear(d, d, bias=False) for name in ("query", "key", "value")})
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (self.proj[n](x).view(B, T, self.heads, -1).transpose(1, 2) for n in ("query", "key", "value"))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class PolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                m.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd((p.grad + group["momentum"] * m).float(), full_matrices=False)
                p.sub_(group["lr"] * (U @ Vh).type_as(p))


stack = nn.ModuleList(SelfAttn() for _ in range(12))
embed = nn.Embedding(50304, 768)
matrices = [p for p in stack.parameters() if p.ndim == 2]
opts = [PolarSGD(matrices), torch.optim.Adam(embed.parameters(), lr=0.3, betas=(0.9, 0.95))]
