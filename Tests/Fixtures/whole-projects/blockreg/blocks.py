"""Registry of model components.  Each component registers under a name and
``build_model`` assembles a network from the names listed in options.MODEL."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCKS = {}


def register(name):
    def deco(cls):
        BLOCKS[name] = cls
        return cls
    return deco


def norm(x):
    return F.rms_norm(x, (x.size(-1),))


# ----------------------------------------------------------------------------
# positional helpers

@register("rope")
class Rope(nn.Module):

    def __init__(self, head_dim, theta=10000.0):
        super().__init__()
        self.register_buffer(
            "inv_freq", 1.0 / theta ** (torch.arange(0, head_dim, 2).float() / head_dim), persistent=False
        )

    def forward(self, x):
        # x: (B, H, T, D)
        T = x.size(-2)
        t = torch.arange(T, device=x.device, dtype=torch.float32)
        ang = torch.outer(t, self.inv_freq)
        cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
        half = x.size(-1) // 2
        a, b = x[..., :half], x[..., half:]
        return torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1)


# ----------------------------------------------------------------------------
# token mixers

@register("capped_attention")
class CappedAttention(nn.Module):
    """Causal attention with q/k RMS normalisation per head and tanh capping
    of the attention scores.  Returns the value tensor so later layers can
    mix it with their own values."""

    def __init__(self, width, heads, rope_theta, attn_score_cap, **_):
        super().__init__()
        self.heads = heads
        self.hd = width // heads
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)
        self.rope = Rope(self.hd, rope_theta)
        self.cap = attn_score_cap
        # weight of the first layer's values in this layer's values
        self.v_mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first=None):
        B, T, C = x.shape
        q = self.wq(x).view(B, T, self.heads, self.hd).transpose(1, 2)
        k = self.wk(x).view(B, T, self.heads, self.hd).transpose(1, 2)
        v = self.wv(x).view(B, T, self.heads, self.hd).transpose(1, 2)
        if v_first is None:
            v_first = v
        v = (1.0 - self.v_mix) * v + self.v_mix * v_first.view_as(v)
        q, k = norm(q), norm(k)
        q, k = self.rope(q), self.rope(k)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)
        if self.cap:
            scores = self.cap * torch.tanh(scores / self.cap)
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
        y = scores.softmax(dim=-1) @ v
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.wo(y), v_first


# ----------------------------------------------------------------------------
# feed-forward layers

@register("sqrelu_ffn")
class SqReluFFN(nn.Module):

    def __init__(self, width, mlp_ratio, **_):
        super().__init__()
        self.up = nn.Linear(width, mlp_ratio * width, bias=False)
        self.down = nn.Linear(mlp_ratio * width, width, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


@register("gelu_ffn")
class GeluFFN(nn.Module):

    def __init__(self, width, mlp_ratio, **_):
        super().__init__()
        self.up = nn.Linear(width, mlp_ratio * width, bias=False)
        self.down = nn.Linear(mlp_ratio * width, width, bias=False)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


# ----------------------------------------------------------------------------
# residual blocks

@register("vres_block")
class VResBlock(nn.Module):
    """Pre-norm block whose input is a learned blend of the running stream and
    the (normalised) embedding output."""

    def __init__(self, mixer, ffn, **kw):
        super().__init__()
        self.mixer = BLOCKS[mixer](**kw)
        self.ffn = BLOCKS[ffn](**kw)
        self.blend = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x_embed, v_first):
        x = self.blend[0] * x + self.blend[1] * x_embed
        a, v_first = self.mixer(norm(x), v_first)
        x = x + a
        x = x + self.ffn(norm(x))
        return x, v_first


# ----------------------------------------------------------------------------
# full network

class Stack(nn.Module):

    def __init__(self, vocab, width, depth, block, hourglass, **kw):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([BLOCKS[block](width=width, **kw) for _ in range(depth)])
        self.hourglass = hourglass
        self.n_down = depth // 2
        self.n_up = depth - self.n_down
        self.skip_gain = nn.Parameter(torch.ones(self.n_up))
        self.unembed = nn.Linear(width, vocab, bias=False)
        nn.init.zeros_(self.unembed.weight)

    def forward(self, idx, targets=None):
        x = norm(self.embed(idx))
        x_embed = x
        v_first = None
        saved = []
        for i, layer in enumerate(self.layers):
            if self.hourglass and i >= self.n_down:
                j = i - self.n_down
                x = x + self.skip_gain[j] * saved.pop()
            x, v_first = layer(x, x_embed, v_first)
            if self.hourglass and i < self.n_down:
                saved.append(x)
        logits = self.unembed(norm(x))
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def build_model(model_opts):
    kw = dict(model_opts)
    return Stack(**kw)


def describe():
    return ", ".join(sorted(BLOCKS))
