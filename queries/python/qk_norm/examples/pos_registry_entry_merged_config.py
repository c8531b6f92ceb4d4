# example: a timm-like registry: the model entry merges its own architecture dict (per-head RMS norms on q and k switched on) with the caller's keywords, a builder copies a default config, updates it from its **kwargs and spreads it into the model, and the script builds the model through the registry accessor; per-head qk norm is present.
import torch
import torch.nn as nn
import torch.nn.functional as F
from functools import partial


class RMS(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


class SelfAttn(nn.Module):
    def __init__(self, width, heads, normalize_qk=False, norm_cls=nn.LayerNorm):
        super().__init__()
        self.heads = heads
        self.hd = width // heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.qn = norm_cls(self.hd) if normalize_qk else nn.Identity()
        self.kn = norm_cls(self.hd) if normalize_qk else nn.Identity()

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q = q.view(B, T, self.heads, self.hd).transpose(1, 2)
        k = k.view(B, T, self.heads, self.hd).transpose(1, 2)
        v = v.view(B, T, self.heads, self.hd).transpose(1, 2)
        q, k = self.qn(q), self.kn(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class Layer(nn.Module):
    def __init__(self, width, heads, normalize_qk=False, norm_cls=nn.LayerNorm):
        super().__init__()
        self.attn = SelfAttn(width, heads, normalize_qk=normalize_qk, norm_cls=norm_cls)
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.fc(x)


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768, layers=12, heads=12, normalize_qk=False, norm_cls=nn.LayerNorm):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([Layer(width, heads, normalize_qk=normalize_qk, norm_cls=norm_cls) for _ in range(layers)])
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        x = self.emb(idx)
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


_ENTRIES = {}
_DEFAULTS = {}


def register(fn):
    _ENTRIES[fn.__name__] = fn
    return fn


def _base_cfg(**overrides):
    return {"vocab": 50304, "width": 768, **overrides}


_DEFAULTS["small_qkn"] = _base_cfg()


def _build(variant, **kwargs):
    cfg = dict(_DEFAULTS.get(variant, _base_cfg()))
    cfg.update(kwargs)
    return Net(**cfg)


@register
def small_qkn(pretrained=False, **kwargs):
    arch = dict(layers=12, heads=6, normalize_qk=True, norm_cls=partial(RMS, eps=1e-6))
    return _build("small_qkn", **dict(arch, **kwargs))


def make_model(name, pretrained=False, **kwargs):
    return _ENTRIES[name](pretrained=pretrained, **kwargs)


model = make_model("small_qkn").cuda()
