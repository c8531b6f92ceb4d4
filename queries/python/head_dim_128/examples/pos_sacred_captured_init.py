# example: a Sacred experiment: the model's `__init__` is `@ex.capture`d and built as `GPT()`, its width and head count injected from the `@ex.config` locals (768 and 6: 128-wide heads); present.
import torch.nn as nn
import torch.nn.functional as F
from sacred import Experiment

ex = Experiment("speedrun")


@ex.config
def config():
    model_dim = 768
    num_heads = 6


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.heads, -1).transpose(1, 2)
        k = self.c_k(x).view(B, T, self.heads, -1).transpose(1, 2)
        v = self.c_v(x).view(B, T, self.heads, -1).transpose(1, 2)
        return self.o(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class GPT(nn.Module):
    @ex.capture
    def __init__(self, model_dim, num_heads):
        super().__init__()
        self.layers = nn.ModuleList(Attention(model_dim, num_heads) for _ in range(12))


@ex.automain
def run():
    model = GPT()
    return model
