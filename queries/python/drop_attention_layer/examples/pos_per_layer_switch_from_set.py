# example: every block is handed use_attn=i not in ATTENTION_FREE by the comprehension that builds the layers, the set holding layer 7, so block 7 is built without attention and skips it; positive.
import torch
from torch import nn
import torch.nn.functional as F

N_LAYER, WIDTH, HEADS = 12, 256, 4
ATTENTION_FREE = (7,)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    def __init__(self, width, heads, use_attn=True):
        super().__init__()
        self.attn = Attention(width, heads) if use_attn else None
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.ReLU(), nn.Linear(4 * width, width))

    def forward(self, x):
        if self.attn is not None:
            x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(WIDTH, HEADS, use_attn=i not in ATTENTION_FREE) for i in range(N_LAYER)])

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


print(Model()(torch.randn(2, 16, WIDTH)).shape)
