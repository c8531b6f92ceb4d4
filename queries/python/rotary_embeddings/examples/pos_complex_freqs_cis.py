# example: LLaMA-style RoPE with a complex freqs_cis table from torch.polar, multiplied into q and k viewed as complex pairs; positive (same rotation, complex spelling, module-level functions).
import torch
from torch import nn
import torch.nn.functional as F


def build_freqs_cis(head_dim: int, max_len: int, theta: float = 10000.0) -> torch.Tensor:
    freqs = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    steps = torch.arange(max_len, dtype=torch.float32)
    phase = torch.einsum("t,f->tf", steps, freqs)
    return torch.polar(torch.ones_like(phase), phase)  # e^{i * pos * freq}


def with_positions(t: torch.Tensor, freqs_cis: torch.Tensor) -> torch.Tensor:
    tc = torch.view_as_complex(t.float().reshape(*t.shape[:-1], -1, 2))
    out = torch.view_as_real(tc * freqs_cis[None, : t.shape[1], None, :]).flatten(3)
    return out.type_as(t)


class Attention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, max_len: int = 1024):
        super().__init__()
        self.n_heads = n_heads
        self.wq = nn.Linear(d_model, d_model, bias=False)
        self.wk = nn.Linear(d_model, d_model, bias=False)
        self.wv = nn.Linear(d_model, d_model, bias=False)
        self.wo = nn.Linear(d_model, d_model, bias=False)
        self.register_buffer("freqs_cis", build_freqs_cis(d_model // n_heads, max_len), persistent=False)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        bsz, seqlen, _ = h.shape
        shape = (bsz, seqlen, self.n_heads, -1)
        xq, xk, xv = self.wq(h).view(shape), self.wk(h).view(shape), self.wv(h).view(shape)
        xq = with_positions(xq, self.freqs_cis)
        xk = with_positions(xk, self.freqs_cis)
        o = F.scaled_dot_product_attention(xq.transpose(1, 2), xk.transpose(1, 2), xv.transpose(1, 2), is_causal=True)
        return self.wo(o.transpose(1, 2).reshape(bsz, seqlen, -1))
