# example: the same counted `while` loop and a block that builds attention only for some indices, but its forward's early return tests something else (`if h.size(1) == 0: return h`) and then calls the possibly missing module unguarded, so no block runs without attention by design; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F

SKIPPED_MIXER_AT = 7


class SelfAttn(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, h):
        b, t, c = h.shape
        q, k, v = self.qkv(h).view(b, t, 3, self.heads, c // self.heads).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))


class Layer(nn.Module):
    def __init__(self, width, heads, position):
        super().__init__()
        if position == SKIPPED_MIXER_AT:
            self.mixer = None
        else:
            self.mixer = SelfAttn(width, heads)
        self.ff = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, h):
        if h.size(1) == 0:
            return h
        h = h + self.mixer(F.rms_norm(h, (h.size(-1),)))
        h = h + self.ff(F.rms_norm(h, (h.size(-1),)))
        return h


class Net(nn.Module):
    def __init__(self, depth=12, width=768, heads=6):
        super().__init__()
        slots = [None] * depth
        k = 0
        while k < depth:
            slots[k] = Layer(width, heads, k)
            k += 1
        self.layers = nn.ModuleList(slots)

    def forward(self, h):
        for layer in self.layers:
            h = layer(h)
        return h
