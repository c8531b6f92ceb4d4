# example: the same layer stacks, but the square cut runs only for the MLP stacks (rows == 4 * cols, cut into quarters);
# the fused QKV stack is orthogonalized as L whole (3d, d) matrices; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def polar_batched(g, iters=5):
    x = g.bfloat16()
    x = x / (x.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(iters):
        a = x @ x.mT
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class LayerStackOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                buf = self.state[w].setdefault("buf", torch.zeros_like(w))
                buf.mul_(group["momentum"]).add_(w.grad)
                depth, rows, cols = buf.shape
                if rows == 4 * cols:
                    pieces = buf.reshape(-1, cols, cols)
                    step = polar_batched(pieces).reshape(depth, rows, cols)
                else:
                    step = polar_batched(buf)
                w.add_(step.type_as(w), alpha=-group["lr"])


class Stacked(nn.Module):
    def __init__(self, depth=12, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Parameter(torch.randn(depth, 3 * d, d) * d ** -0.5)
        self.out = nn.Parameter(torch.zeros(depth, d, d))

    def forward(self, x):
        b, t, d = x.shape
        for w_in, w_out in zip(self.qkv, self.out):
            q, k, v = F.linear(x, w_in).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + F.linear(y.transpose(1, 2).reshape(b, t, d), w_out)
        return x


model = Stacked()
opt = LayerStackOrtho(list(model.parameters()))
