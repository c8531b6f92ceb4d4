# example: the number of heads is derived as model_dim // 128 in the model's constructor, and q/k/v are split with view(B, T, heads, -1); positive (head dim 128 implied by the -1).
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, model_dim):
        super().__init__()
        self.heads = model_dim // 128
        self.q = nn.Linear(model_dim, model_dim, bias=False)
        self.k = nn.Linear(model_dim, model_dim, bias=False)
        self.v = nn.Linear(model_dim, model_dim, bias=False)
        self.o = nn.Linear(model_dim, model_dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.q(x).view(B, T, self.heads, -1).transpose(1, 2)
        k = self.k(x).view(B, T, self.heads, -1).transpose(1, 2)
        v = self.v(x).view(B, T, self.heads, -1).transpose(1, 2)
        return self.o(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


layers = nn.ModuleList(Attention(768) for _ in range(12))
