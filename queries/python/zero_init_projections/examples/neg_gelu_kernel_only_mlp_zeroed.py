# example: near miss - the MLP activation is a tanh-approximate GELU run by a Triton kernel inside an autograd Function and the MLP output projection is zeroed, but the attention output projection keeps its default init; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _gelu_fwd(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    x = tl.load(x_ptr + offs, mask=m).to(tl.float32)
    u = 0.7978845608 * (x + 0.044715 * x * x * x)
    th = 2.0 * tl.sigmoid(2.0 * u) - 1.0
    tl.store(y_ptr + offs, 0.5 * x * (1.0 + th), mask=m)


class _TanhGELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        src = x.contiguous()
        y = torch.empty_like(src)
        n = src.numel()
        _gelu_fwd[(triton.cdiv(n, 1024),)](src, y, n, BLOCK=1024)
        ctx.save_for_backward(src)
        return y

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with torch.enable_grad():
            xr = x.detach().requires_grad_(True)
            out = F.gelu(xr, approximate="tanh")
            (dx,) = torch.autograd.grad(out, xr, g)
        return dx


def fast_gelu(x):
    return _TanhGELU.apply(x)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.proj = nn.Linear(4 * dim, dim, bias=False)
        nn.init.zeros_(self.proj.weight)

    def forward(self, x):
        return self.proj(fast_gelu(self.fc(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = Attention(dim, heads)
        self.mlp = MLP(dim)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))
