# example: the attention keeps q, k and v weights in one (3, d, d) parameter and an autograd Function flattens it to (3d, d) and does a single x @ w.t() product, whose output is chunked into q, k and v; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class _QKV(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w3):
        w = w3.flatten(end_dim=1).type_as(x)
        ctx.save_for_backward(x, w)
        ctx.w_meta = (w3.shape, w3.dtype)
        return x @ w.t()

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        shape, dtype = ctx.w_meta
        gx = g @ w
        gw = g.flatten(0, -2).t() @ x.flatten(0, -2)
        return gx, gw.view(shape).to(dtype)


class Attention(nn.Module):
    def __init__(self, d=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Parameter(torch.empty(3, d, d).normal_(std=0.02))
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        H = self.n_head
        q, k, v = _QKV.apply(x, self.qkv).view(B, T, 3 * H, -1).chunk(3, dim=-2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d=768, n_head=6):
        super().__init__()
        self.attn = Attention(d, n_head)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.out = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.out(F.gelu(self.fc(F.rms_norm(x, (x.size(-1),)))))
