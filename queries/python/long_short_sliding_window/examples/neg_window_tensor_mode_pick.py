# example: the same tensor of two spans, but the slot is chosen by the mode (the long span while training, the short one when evaluating), so every layer shares one span at any time; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

WINDOW = 1792
DEPTH = 12


def windowed_causal(span):
    def rule(b, h, q, k):
        return (q >= k) & (q - k < span)
    return rule


class Mixer(nn.Module):
    def __init__(self, width=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, h, block_mask):
        n, t, c = h.shape
        q, k, v = self.qkv(h).view(n, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=block_mask)
        return self.out(y.transpose(1, 2).reshape(n, t, c))


class Stack(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.mixers = nn.ModuleList(Mixer(width) for _ in range(DEPTH))

    def forward(self, h):
        t = h.size(1)
        spans = torch.tensor([WINDOW, WINDOW // 2], device=h.device)
        slot = 0 if self.training else 1
        mask = create_block_mask(windowed_causal(spans[slot]), None, None, t, t, device=h.device)
        for mixer in self.mixers:
            h = h + mixer(F.rms_norm(h, (h.size(-1),)), mask)
        return h
