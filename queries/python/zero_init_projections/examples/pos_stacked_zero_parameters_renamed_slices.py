# example: the output-projection stacks are created as zeros (`nn.Parameter(torch.zeros(L, ...))`); the forward walks
# the stacks with `torch.unbind` under short names and hands the slices to free functions whose parameters are named
# otherwise; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def mix_tokens(h, a, b, heads):
    n, t, c = h.shape
    q, k, v = F.linear(h, a).view(n, t, 3, heads, -1).permute(2, 0, 3, 1, 4)
    o = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(n, t, c)
    return F.linear(o, b)


def mix_channels(h, a, b):
    return F.linear(F.gelu(F.linear(h, a)), b)


class Tower(nn.Module):
    def __init__(self, depth=8, width=512, vocab=50304):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.attn_in = nn.Parameter(torch.randn(depth, 3 * width, width) * width ** -0.5)
        self.attn_out = nn.Parameter(torch.zeros(depth, width, width))
        self.ff_in = nn.Parameter(torch.randn(depth, 4 * width, width) * width ** -0.5)
        self.ff_out = nn.Parameter(torch.zeros(depth, width, 4 * width))
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = self.tok(ids)
        for p, q, r, s in zip(torch.unbind(self.attn_in), torch.unbind(self.attn_out), torch.unbind(self.ff_in), torch.unbind(self.ff_out)):
            h = h + mix_tokens(F.rms_norm(h, (h.size(-1),)), p, q, 8)
            h = h + mix_channels(F.rms_norm(h, (h.size(-1),)), r, s)
        return self.head(h)
