# example: positive - labels are written on every tensor (`w.tag = "mat.qkv"`), a module-level table maps label prefixes to NamedTuple specs, a lookup helper picks the longest matching prefix, and the optimizer is built with base_lr=0.05 as a keyword; the "muon" rows multiply it by 1.0.
from typing import NamedTuple

import torch
import torch.nn as nn


class Spec(NamedTuple):
    method: str
    lr_multiplier: float = 1.0


SPECS = {
    "tok": Spec("adam", 12.0),
    "out": Spec("adam", 0.16),
    "mat.": Spec("muon", 1.0),
}


def spec_of(tag):
    best = ""
    for prefix in SPECS:
        if tag.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return SPECS[best]


def zeropower(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        a = x @ x.mT
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class Attn(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)
        self.qkv.weight.tag = "mat.qkv"
        self.proj.weight.tag = "mat.proj"

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.proj(torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True))


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.attn = nn.ModuleList(Attn(d) for _ in range(n))
        self.out = nn.Linear(d, vocab, bias=False)
        self.tok.weight.tag = "tok"
        self.out.weight.tag = "out"

    def forward(self, idx):
        x = self.tok(idx)
        for a in self.attn:
            x = x + a(x)
        return self.out(x)


class SpecOptimizer:
    def __init__(self, params, base_lr):
        self.items = []
        for p in params:
            spec = spec_of(p.tag)
            self.items.append((p, spec.method, base_lr * spec.lr_multiplier, torch.zeros_like(p), torch.zeros_like(p)))

    @torch.no_grad()
    def step(self):
        for p, method, lr, buf, sq in self.items:
            if method == "muon":
                buf.mul_(0.95).add_(p.grad)
                p.add_(zeropower(buf), alpha=-lr)
            else:
                buf.lerp_(p.grad, 0.2)
                sq.lerp_(p.grad.square(), 0.05)
                p.addcdiv_(buf, sq.sqrt().add_(1e-10), value=-lr)


model = LM()
opt = SpecOptimizer(model.parameters(), base_lr=0.05)
