# example: the same Triton mix kernel, but what each layer mixes into its values is a second projection of the hidden state (self.extra(h)), not a token-table lookup; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _mix_kernel(v_ptr, e_ptr, lam_ptr, out_ptr, numel, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    ok = offs < numel
    lam = tl.load(lam_ptr).to(tl.float32)
    v = tl.load(v_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    e = tl.load(e_ptr + offs, mask=ok, other=0.0).to(tl.float32)
    tl.store(out_ptr + offs, ((1.0 - lam) * v + lam * e).to(out_ptr.dtype.element_ty), mask=ok)


def mix_in(v, e, lam):
    v = v.contiguous()
    out = torch.empty_like(v)
    _mix_kernel[(triton.cdiv(v.numel(), 1024),)](v, e.contiguous(), lam, out, v.numel(), BLOCK=1024)
    return out


class Attention(nn.Module):
    def __init__(self, width=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.lam = nn.Parameter(torch.tensor([0.5]))
        self.extra = nn.Linear(width, width, bias=False)

    def forward(self, h):
        n, t, c = h.shape
        extra = self.extra(h)
        q, k, v = self.qkv(h).view(n, t, 3, self.heads, -1).unbind(2)
        v = mix_in(v, extra.view_as(v), self.lam)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(n, t, c))


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(Attention(width) for _ in range(depth))

    def forward(self, ids):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + layer(F.rms_norm(h, (h.size(-1),)))
        return h
