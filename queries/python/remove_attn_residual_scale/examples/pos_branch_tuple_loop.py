# example: the block walks its two branches in a loop over a literal tuple, `for sub in (self.attn, self.ffn): h = h + sub(norm(h))`, adding each output unscaled; positive (attention reached through the loop variable).
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, h):
        B, T, C = h.shape
        q, k, v = self.qkv(h).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class FeedForward(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, h):
        return self.down(F.gelu(self.up(h)))


class Layer(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.attn = SelfAttention(d)
        self.ffn = FeedForward(d)

    def forward(self, h):
        for sub in (self.attn, self.ffn):
            h = h + sub(F.rms_norm(h, (h.size(-1),)))
        return h


layers = nn.ModuleList(Layer() for _ in range(4))
h = torch.randn(2, 16, 768)
for layer in layers:
    h = layer(h)
h.square().mean().backward()
