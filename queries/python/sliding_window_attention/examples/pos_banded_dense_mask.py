# example: SDPA gets a banded boolean mask (tril minus a tril shifted by the window) from a config constant; same local causal attention with another expression.
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class AttnConfig:
    n_head: int = 8
    local_window: int = 512


def banded_causal(T: int, window: int, device) -> torch.Tensor:
    full = torch.ones(T, T, dtype=torch.bool, device=device)
    below = torch.tril(full)
    too_far = torch.tril(full, diagonal=-window)
    return below & ~too_far


def local_attention(x, w_qkv, cfg: AttnConfig):
    B, T, C = x.shape
    q, k, v = (x @ w_qkv.t()).split(C, dim=-1)
    q, k, v = (t.view(B, T, cfg.n_head, -1).transpose(1, 2) for t in (q, k, v))
    band = banded_causal(T, cfg.local_window, x.device)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=band)
    return y.transpose(1, 2).reshape(B, T, C)
