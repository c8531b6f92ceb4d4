# gap: Complex-number RoPE (Llama style, torch.polar + view_as_complex); the upper half of the frequency vector is switched off by multiplying with a 0/1 keep-mask, so half the pairs get angle 0 (no rotation); positive.
import torch
from torch import nn


def precompute_freqs_cis(head_dim: int, max_len: int = 65536, base: float = 1024.0) -> torch.Tensor:
    n_pairs = head_dim // 2
    exponent = torch.arange(n_pairs, dtype=torch.float32) / (n_pairs // 2 - 1)
    freqs = base ** -exponent
    keep = (torch.arange(n_pairs) < n_pairs // 2).float()
    freqs = freqs * keep                       # pairs n_pairs//2 .. are position independent
    angles = torch.outer(torch.arange(max_len, dtype=torch.float32), freqs)
    return torch.polar(torch.ones_like(angles), angles)        # complex64 (max_len, n_pairs)


def apply_rotary(x: torch.Tensor, freqs_cis: torch.Tensor) -> torch.Tensor:
    # x: (B, T, H, D)
    T = x.size(1)
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    out = torch.view_as_real(xc * freqs_cis[:T][None, :, None, :]).flatten(-2)
    return out.type_as(x)


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.register_buffer("freqs_cis", precompute_freqs_cis(dim // heads), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        q, k = apply_rotary(q, self.freqs_cis), apply_rotary(k, self.freqs_cis)
        return torch.nn.functional.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
