# example: a mixture-of-experts MLP keeps its experts as (E, m, n) stacks beside linear attention layers; `p.ndim >= 2`
# (linear weights and expert stacks) goes to the orthogonalizing optimizer and `p.ndim < 2` (gains, router bias) to
# Adam. The expert stacks are not a stack of layers, so the usual 2-D test keeps its meaning; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def orthogonalize(g, iters=5):
    x = g.bfloat16()
    x = x / (x.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(iters):
        a = x @ x.mT
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"])


class ExpertBlock(nn.Module):
    def __init__(self, d=512, experts=8):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)
        self.router = nn.Linear(d, experts)
        self.w_in = nn.Parameter(torch.randn(experts, 4 * d, d) * d ** -0.5)
        self.w_out = nn.Parameter(torch.zeros(experts, d, 4 * d))
        self.gain = nn.Parameter(torch.ones(d))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, 8, -1).permute(2, 0, 3, 1, 4)
        x = x + self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, d))
        pick = self.router(x).argmax(-1)
        h = torch.einsum("btd,btfd->btf", x, self.w_in[pick])
        return x + self.gain * torch.einsum("btf,btdf->btd", F.relu(h).square(), self.w_out[pick])


blocks = nn.ModuleList(ExpertBlock() for _ in range(6))
heavy = [p for p in blocks.parameters() if p.ndim >= 2]
light = [p for p in blocks.parameters() if p.ndim < 2]
opts = [Ortho(heavy, lr=0.02), torch.optim.Adam(light, lr=0.02, betas=(0.8, 0.95))]
