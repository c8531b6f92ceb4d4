# example: the attention module rotates both queries and keys through a wrapper around a torch.autograd.Function whose forward launches a Triton kernel pairing the two halves with cos/sin tables built from positions times inverse frequencies; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _kernel(x_ptr, cos_ptr, sin_ptr, out_ptr, T, HALF: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    pos = row % T
    cols = tl.arange(0, BLOCK)
    m = cols < HALF
    a = tl.load(x_ptr + row * 2 * HALF + cols, mask=m).to(tl.float32)
    b = tl.load(x_ptr + row * 2 * HALF + HALF + cols, mask=m).to(tl.float32)
    c = tl.load(cos_ptr + pos * HALF + cols, mask=m)
    s = tl.load(sin_ptr + pos * HALF + cols, mask=m)
    tl.store(out_ptr + row * 2 * HALF + cols, a * c + b * s, mask=m)
    tl.store(out_ptr + row * 2 * HALF + HALF + cols, b * c - a * s, mask=m)


def _launch(x, cos, sin):
    # x: (B, H, T, D), contiguous
    src = x.contiguous()
    out = torch.empty_like(src)
    half = src.size(-1) // 2
    grid = (src.numel() // src.size(-1),)
    _kernel[grid](src, cos, sin, out, src.size(-2), HALF=half, BLOCK=triton.next_power_of_2(half))
    return out


class _RotaryFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, cos, sin):
        ctx.save_for_backward(cos, sin)
        return _launch(q, cos, sin), _launch(k, cos, sin)

    @staticmethod
    def backward(ctx, gq, gk):
        cos, sin = ctx.saved_tensors
        # rotating by the negative angle undoes the rotation
        return _launch(gq, cos, -sin), _launch(gk, cos, -sin), None, None


def rotate_qk(q, k, cos, sin):
    return _RotaryFn.apply(q, k, cos, sin)


class SelfAttention(nn.Module):
    def __init__(self, dim=768, heads=12, max_len=2048, base=10000.0):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)
        hd = dim // heads
        inv_freq = 1.0 / (base ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        angles = torch.arange(max_len, dtype=torch.float32)[:, None] * inv_freq[None, :]
        self.register_buffer("cos_tab", angles.cos(), persistent=False)
        self.register_buffer("sin_tab", angles.sin(), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
        q, k = rotate_qk(q, k, self.cos_tab[:T].contiguous(), self.sin_tab[:T].contiguous())
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))
