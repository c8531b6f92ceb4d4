# example: a dataclass field qk_scale = 0.12 is passed as scale= to F.scaled_dot_product_attention after QK-norm; same fixed logit scale through another API.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class AttnConfig:
    dim: int = 768
    heads: int = 6
    qk_scale: float = 0.12


class Attention(nn.Module):
    def __init__(self, cfg: AttnConfig):
        super().__init__()
        self.cfg = cfg
        self.qkv = nn.Linear(cfg.dim, 3 * cfg.dim, bias=False)
        self.proj = nn.Linear(cfg.dim, cfg.dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.cfg.heads, -1).permute(2, 0, 3, 1, 4)
        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=self.cfg.qk_scale)
        return self.proj(y.transpose(1, 2).reshape(b, t, d))
