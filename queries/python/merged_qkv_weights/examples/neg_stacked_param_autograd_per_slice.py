# example: near miss - q, k and v weights live in one (3, d, d) parameter, but the autograd Function multiplies x by w3[0], w3[1] and w3[2] in three separate products and returns the three; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class _QKV(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w3):
        ctx.save_for_backward(x, w3)
        q = x @ w3[0].t()
        k = x @ w3[1].t()
        v = x @ w3[2].t()
        return q, k, v

    @staticmethod
    def backward(ctx, gq, gk, gv):
        x, w3 = ctx.saved_tensors
        gx = gq @ w3[0] + gk @ w3[1] + gv @ w3[2]
        xf = x.flatten(0, -2)
        gw = torch.stack([g.flatten(0, -2).t() @ xf for g in (gq, gk, gv)])
        return gx, gw


class Attention(nn.Module):
    def __init__(self, d=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Parameter(torch.empty(3, d, d).normal_(std=0.02))
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        H = self.n_head
        q, k, v = _QKV.apply(x, self.qkv)
        q, k, v = (t.view(B, T, H, -1).transpose(1, 2) for t in (q, k, v))
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
