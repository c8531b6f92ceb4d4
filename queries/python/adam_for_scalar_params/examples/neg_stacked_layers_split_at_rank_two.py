# example: the same stacked model, but the split is written for unstacked weights: `p.ndim == 2` sends the (L, 2)
# mixing weights to the orthogonalizing optimizer and `p.ndim < 2` only the (L,) gains to Adam, while the stacked
# matrices go nowhere near the orthogonal update; negative.
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


class StackOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"])


class StackedNet(nn.Module):
    def __init__(self, depth=12, width=768, vocab=50304):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.up = nn.Parameter(torch.randn(depth, 4 * width, width) * 0.02)
        self.down = nn.Parameter(torch.zeros(depth, width, 4 * width))
        self.gain = nn.Parameter(torch.ones(depth))
        self.mix = nn.Parameter(torch.tensor([[1.0, 0.0]] * depth))
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        x = x0 = self.embed(ids)
        for up, down, g, m in zip(self.up, self.down, self.gain, self.mix):
            x = m[0] * x + m[1] * x0
            x = x + g * F.linear(F.relu(F.linear(x, up)).square(), down)
        return self.head(x)


net = StackedNet()
named = dict(net.named_parameters())
outer = {"embed.weight", "head.weight"}
stacks = [p for k, p in named.items() if p.ndim == 2 and k not in outer]
gains = [p for k, p in named.items() if p.ndim < 2]
opts = [
    torch.optim.Adam([net.embed.weight], lr=0.6, betas=(0.8, 0.95)),
    torch.optim.Adam([net.head.weight], lr=0.008, betas=(0.8, 0.95)),
    StackOrtho(stacks, lr=0.05),
    torch.optim.Adam(gains, lr=0.04, betas=(0.8, 0.95)),
]
