# example: near miss - an autograd Function launches a Triton kernel on q and k, but it only multiplies them by a per-position scale from a table (no half pairing, no rotation); the cos/sin tables only feed a sinusoidal feature added to the embeddings; negative.
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _kernel(x_ptr, scale_ptr, out_ptr, T, D: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    pos = row % T
    cols = tl.arange(0, BLOCK)
    m = cols < D
    x = tl.load(x_ptr + row * D + cols, mask=m).to(tl.float32)
    g = tl.load(scale_ptr + pos)
    tl.store(out_ptr + row * D + cols, x * g, mask=m)


def _launch(x, scale):
    src = x.contiguous()
    out = torch.empty_like(src)
    d = src.size(-1)
    _kernel[(src.numel() // d,)](src, scale, out, src.size(-2), D=d, BLOCK=triton.next_power_of_2(d))
    return out


class _PosScaleFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, scale):
        ctx.save_for_backward(scale)
        return _launch(q, scale), _launch(k, scale)

    @staticmethod
    def backward(ctx, gq, gk):
        (scale,) = ctx.saved_tensors
        return _launch(gq, scale), _launch(gk, scale), None


def scale_qk(q, k, scale):
    return _PosScaleFn.apply(q, k, scale)


def sinusoid_table(length, dim):
    inv_freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    angles = torch.arange(length, dtype=torch.float32)[:, None] * inv_freq[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


class SelfAttention(nn.Module):
    def __init__(self, dim=768, heads=12, max_len=2048):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)
        self.pos_scale = nn.Parameter(torch.ones(max_len))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
        q, k = scale_qk(q, k, self.pos_scale[:T].contiguous())
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=4, max_len=2048):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.register_buffer("pe", sinusoid_table(max_len, dim), persistent=False)
        self.layers = nn.ModuleList(SelfAttention(dim) for _ in range(depth))
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx) + self.pe[: idx.size(1)]
        for layer in self.layers:
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
        return self.head(F.rms_norm(x, (x.size(-1),)))
