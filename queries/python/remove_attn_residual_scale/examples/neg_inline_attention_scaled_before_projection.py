# example: near miss - attention computed in the block's forward, and its result divided by a constant
# sqrt(2 * n_layer) before the output projection, so the branch is still scaled down; negative.
import math
import torch.nn as nn
import torch.nn.functional as F

N_LAYER = 12


class Layer(nn.Module):
    def __init__(self, d=768, heads=12):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        h = F.layer_norm(x, (x.size(-1),))
        b, t, d = h.shape
        q, k, v = self.qkv(h).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y / math.sqrt(2 * N_LAYER))
        return x + self.mlp(F.layer_norm(x, (d,)))
