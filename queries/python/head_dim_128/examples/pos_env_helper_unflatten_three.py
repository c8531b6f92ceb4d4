# example: the run's settings come from a small env helper (_env("n_head", 6, int)) into GPTConfig(n_head=args.n_head), whose own default is 12; q, k and v come out of one projection split by unflatten(-1, (3, n_head, head_dim)); 768 / 6 = 128; positive.

import os
import torch
import torch.nn as nn
import torch.nn.functional as F
from dataclasses import dataclass

def _env(name, default, cast):
    return cast(os.environ.get(f"SPEEDRUN_{name.upper()}", default))

@dataclass
class GPTConfig:
    n_head : int = 12
    n_embd : int = 768

@dataclass
class Hyperparameters:
    n_head : int = _env("n_head", 6, int)
    n_embd : int = _env("n_embd", 768, int)

class Attn(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.head_dim = self.n_embd // self.n_head
        self.c_attn = nn.Linear(self.n_embd, 3 * self.n_embd, bias=False)
    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).unflatten(-1, (3, self.n_head, self.head_dim)).unbind(dim=2)
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)

args = Hyperparameters()
model = Attn(GPTConfig(n_head=args.n_head, n_embd=args.n_embd))
