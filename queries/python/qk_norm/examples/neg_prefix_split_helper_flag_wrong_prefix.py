# example: near miss - the same prefix-splitting helper and unit-norm module, but the switch is given under another layer's prefix (`ff_unit_qk=True`), which the stack never routes to its attention, so the attention keeps its default and its heads are not normalized; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


def key_matches(start, key):
    return key.startswith(start)


def split_by_prefix(start, options):
    picked, rest = {}, {}
    for key, value in options.items():
        (picked if key_matches(start, key) else rest)[key] = value
    trimmed = {key.removeprefix(start): value for key, value in picked.items()}
    return trimmed, rest


class UnitNorm(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.gain = width ** 0.5

    def forward(self, x):
        return F.normalize(x, dim=-1) * self.gain


class SelfAttention(nn.Module):
    def __init__(self, width, n_heads=6, unit_qk=False, dropout=0.0):
        super().__init__()
        self.n_heads = n_heads
        head = width // n_heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.proj = nn.Linear(width, width, bias=False)
        self.q_unit = UnitNorm(head) if unit_qk else nn.Identity()
        self.k_unit = UnitNorm(head) if unit_qk else nn.Identity()

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=-1)
        q, k, v = (z.view(b, t, self.n_heads, c // self.n_heads).transpose(1, 2) for z in (q, k, v))
        q, k = self.q_unit(q), self.k_unit(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, c))


class Stack(nn.Module):
    def __init__(self, width, depth, **opts):
        super().__init__()
        attn_opts, opts = split_by_prefix("attn_", opts)
        assert not opts, f"unused options {opts}"
        attn_opts = {"dropout": 0.0, **attn_opts}
        self.layers = nn.ModuleList([SelfAttention(width, **attn_opts) for _ in range(depth)])

    def forward(self, x):
        for layer in self.layers:
            x = x + layer(x)
        return x


model = Stack(768, 12, attn_n_heads=6, ff_unit_qk=True)
