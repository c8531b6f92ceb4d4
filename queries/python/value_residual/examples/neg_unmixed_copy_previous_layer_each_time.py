# example: near miss - the same layer returning a copy of its unmixed values, but the stack hands every layer the
# previous layer's copy (`v_first = values` on every pass), so each layer blends with the layer before it; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)
        self.alpha = nn.Parameter(torch.full((), 0.5))

    def forward(self, x, v_first):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        orig_values = v
        if v_first is not None:
            v = torch.lerp(v, v_first, self.alpha)
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(o.transpose(1, 2).reshape(B, T, C)), orig_values


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(Attn(dim, 6) for _ in range(depth))

    def forward(self, idx):
        h = self.emb(idx)
        v_first = None
        for layer in self.layers:
            out, values = layer(F.rms_norm(h, (h.size(-1),)), v_first)
            v_first = values
            h = h + out
        return h
