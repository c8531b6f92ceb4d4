# example: the key is scaled in place by a config field of 0.12 and SDPA is told scale=1, so q.k is multiplied by 0.12 exactly; present.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class AttnSpec:
    width: int = 768
    n_head: int = 6
    qk_gain: float = 0.12


class SelfAttention(nn.Module):
    def __init__(self, spec: AttnSpec):
        super().__init__()
        self.spec = spec
        self.to_q = nn.Linear(spec.width, spec.width, bias=False)
        self.to_k = nn.Linear(spec.width, spec.width, bias=False)
        self.to_v = nn.Linear(spec.width, spec.width, bias=False)
        self.out = nn.Linear(spec.width, spec.width, bias=False)

    def heads(self, t):
        b, n, _ = t.shape
        return t.view(b, n, self.spec.n_head, -1).transpose(1, 2)

    def forward(self, x):
        query, key, value = self.heads(self.to_q(x)), self.heads(self.to_k(x)), self.heads(self.to_v(x))
        key.mul_(self.spec.qk_gain)
        mixed = F.scaled_dot_product_attention(query, key, value, is_causal=True, scale=1.0)
        return self.out(mixed.transpose(1, 2).flatten(2))
