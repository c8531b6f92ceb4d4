# example: a plain helper launches a Triton kernel storing (1 - lam) * own + lam * first, element by element, with lam read from a learned scalar; every attention layer mixes its values with the first layer's this way (the first layer keeps its own as `first`); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _mix_kernel(own_ptr, first_ptr, lam_ptr, out_ptr, numel, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    ok = offs < numel
    lam = tl.load(lam_ptr).to(tl.float32)
    own = tl.load(own_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    first = tl.load(first_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    tl.store(out_ptr + offs, ((1.0 - lam) * own + lam * first).to(out_ptr.dtype.element_ty), mask=ok)


def mix_values(own, first, lam):
    own = own.contiguous()
    out = torch.empty_like(own)
    n = own.numel()
    _mix_kernel[(triton.cdiv(n, 1024),)](own, first.contiguous(), lam, out, n, BLOCK=1024)
    return out


class Attention(nn.Module):
    def __init__(self, width=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.lam = nn.Parameter(torch.tensor([0.5]))

    def forward(self, h, first):
        n, t, c = h.shape
        q, k, v = self.qkv(h).view(n, t, 3, self.heads, -1).unbind(2)
        if first is None:
            first = v
        v = mix_values(v, first, self.lam)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(n, t, c)), first


class Stack(nn.Module):
    def __init__(self, depth=12, width=768):
        super().__init__()
        self.layers = nn.ModuleList(Attention(width) for _ in range(depth))

    def forward(self, h):
        first = None
        for layer in self.layers:
            a, first = layer(F.rms_norm(h, (h.size(-1),)), first)
            h = h + a
        return h
