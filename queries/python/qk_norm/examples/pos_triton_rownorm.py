# example: a @triton.jit kernel RMS-normalizes each row of length head_dim, and attention runs it on both q and k before SDPA; positive (fused kernel spelling).
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def row_rms_kernel(x_ptr, y_ptr, D: tl.constexpr, eps):
    row = tl.program_id(0)
    cols = tl.arange(0, D)
    x = tl.load(x_ptr + row * D + cols).to(tl.float32)
    inv = 1.0 / tl.sqrt(tl.sum(x * x, axis=0) / D + eps)
    tl.store(y_ptr + row * D + cols, (x * inv).to(y_ptr.dtype.element_ty))


def head_rms(t: torch.Tensor) -> torch.Tensor:
    flat = t.contiguous().view(-1, t.size(-1))
    out = torch.empty_like(flat)
    row_rms_kernel[(flat.size(0),)](flat, out, flat.size(-1), 1e-6)
    return out.view_as(t)


class Attn(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = head_rms(self.wq(x).view(B, T, self.heads, -1))
        k = head_rms(self.wk(x).view(B, T, self.heads, -1))
        v = self.wv(x).view(B, T, self.heads, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))
