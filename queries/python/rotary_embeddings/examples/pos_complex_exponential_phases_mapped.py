# example: RoPE via complex exponentials built with torch.exp(1j * angle); q and k rotated with map() over a tuple; positive.
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class PhaseRotation(nn.Module):
    def __init__(self, head_dim: int, max_positions: int = 4096, base: float = 10000.0):
        super().__init__()
        half = head_dim // 2
        freqs = torch.exp(-math.log(base) * torch.arange(half, dtype=torch.float32) * 2 / head_dim)
        pos = torch.arange(max_positions, dtype=torch.float32)
        phase = torch.einsum("p,f->pf", pos, freqs)
        self.register_buffer("rot", torch.exp(1j * phase), persistent=False)  # complex64

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (B, H, T, D)
        T = x.size(-2)
        xc = torch.complex(x[..., 0::2].float(), x[..., 1::2].float())
        xc = xc * self.rot[:T]
        out = torch.stack((xc.real, xc.imag), dim=-1).flatten(-2)
        return out.to(x.dtype)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model=768, n_heads=12):
        super().__init__()
        self.n_heads = n_heads
        self.in_proj = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out_proj = nn.Linear(d_model, d_model, bias=False)
        self.phase = PhaseRotation(d_model // n_heads)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.in_proj(x).view(B, T, 3, self.n_heads, -1).permute(2, 0, 3, 1, 4)
        q, k = map(self.phase, (q, k))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out_proj(y.transpose(1, 2).reshape(B, T, C))


class LM(nn.Module):
    def __init__(self, vocab=50304, d_model=768, n_layers=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.attn = nn.ModuleList(MultiHeadAttention(d_model) for _ in range(n_layers))
        self.head = nn.Linear(d_model, vocab, bias=False)

    def forward(self, idx):
        h = self.tok(idx)
        for a in self.attn:
            h = h + a(F.rms_norm(h, (h.size(-1),)))
        return self.head(F.rms_norm(h, (h.size(-1),)))
