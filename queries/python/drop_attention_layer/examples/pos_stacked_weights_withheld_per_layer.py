# example: attention weights are stacked only for the layers that keep attention; a per-layer slot table maps the
# attention-free layer to None, and the block function runs attention only when it is handed weights; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def attend(x, w_in, w_out, heads):
    b, t, d = x.shape
    q, k, v = F.linear(x, w_in).view(b, t, 3, heads, -1).permute(2, 0, 3, 1, 4)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.linear(y.transpose(1, 2).reshape(b, t, d), w_out)


def layer(x, attn_pair, w_up, w_down, heads):
    if attn_pair is not None:
        x = x + attend(F.rms_norm(x, (x.size(-1),)), *attn_pair, heads)
    h = F.linear(F.rms_norm(x, (x.size(-1),)), w_up)
    return x + F.linear(F.relu(h).square(), w_down)


class Stack(nn.Module):
    def __init__(self, depth=12, d=768, heads=6, attention_free=(7,)):
        super().__init__()
        self.heads = heads
        self.slot = []
        for j in range(depth):
            self.slot.append(None if j in attention_free else len([s for s in self.slot if s is not None]))
        kept = sum(s is not None for s in self.slot)
        self.w_in = nn.Parameter(torch.randn(kept, 3 * d, d) * d ** -0.5)
        self.w_out = nn.Parameter(torch.zeros(kept, d, d))
        self.w_up = nn.Parameter(torch.randn(depth, 4 * d, d) * d ** -0.5)
        self.w_down = nn.Parameter(torch.zeros(depth, d, 4 * d))

    def forward(self, x):
        for j, s in enumerate(self.slot):
            pair = None if s is None else (self.w_in[s], self.w_out[s])
            x = layer(x, pair, self.w_up[j], self.w_down[j], self.heads)
        return x


out = Stack()(torch.randn(2, 16, 768))
