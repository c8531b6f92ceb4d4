# example: the token embeddings go through unit_rms, an autograd Function launching a Triton RMS kernel, before the first block; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _unit_rms_rows(src, dst, width, eps, BLOCK: tl.constexpr):
    r = tl.program_id(0)
    lanes = tl.arange(0, BLOCK)
    ok = lanes < width
    v = tl.load(src + r * width + lanes, mask=ok, other=0.0).to(tl.float32)
    inv = tl.rsqrt(tl.sum(v * v, axis=0) / width + eps)
    tl.store(dst + r * width + lanes, (v * inv).to(dst.dtype.element_ty), mask=ok)


class UnitRms(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t, eps):
        rows = t.reshape(-1, t.shape[-1]).contiguous()
        out = torch.empty_like(rows)
        _unit_rms_rows[(rows.shape[0],)](rows, out, rows.shape[1], eps, BLOCK=triton.next_power_of_2(rows.shape[1]))
        ctx.save_for_backward(rows)
        return out.view(t.shape)


def unit_rms(t, eps=1e-6):
    return UnitRms.apply(t, eps)


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.table = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = unit_rms(self.table(ids))
        for layer in self.layers:
            h = h + torch.relu(layer(F.rms_norm(h, (h.size(-1),)))).square()
        return self.lm_head(F.rms_norm(h, (h.size(-1),)))
