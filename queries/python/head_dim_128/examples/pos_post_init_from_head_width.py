# example: the head count is left at 0 and derived in __post_init__ from a head width of 128 given at construction; positive.
from dataclasses import dataclass
import torch.nn as nn
import torch.nn.functional as F

@dataclass
class Cfg:
    n_embd: int = 768
    head_width: int = 64
    n_head: int = 0
    def __post_init__(self):
        if not self.n_head:
            self.n_head = self.n_embd // self.head_width

class Attn(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.head_dim = self.n_embd // self.n_head
        self.c_q = nn.Linear(self.n_embd, self.n_embd)
        self.c_k = nn.Linear(self.n_embd, self.n_embd)
        self.c_v = nn.Linear(self.n_embd, self.n_embd)
    def forward(self, x):
        B, T, C = x.size()
        q = self.c_q(x).view(B, T, self.n_head, self.head_dim)
        k = self.c_k(x).view(B, T, self.n_head, self.head_dim)
        v = self.c_v(x).view(B, T, self.n_head, self.head_dim)
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)

model = Attn(Cfg(n_embd=768, head_width=128))
