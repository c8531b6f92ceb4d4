# example: the same ModuleDict model and init rule table, but the MLP row maps its output projection to a normal draw; only the attention output starts at zero; negative.
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

INIT = {"zeros": nn.init.zeros_, "normal": lambda w: nn.init.normal_(w, std=0.02)}
RULES = [(r"\.attn\.proj\.out\.weight$", "zeros"), (r"\.mlp\.proj\.down\.weight$", "normal")]
ACTS = {"relu2": lambda x: F.relu(x).square()}


def act(name):
    return ACTS[name] if name in ACTS else getattr(F, name)


class Attn(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.proj = nn.ModuleDict({n: nn.Linear(d, d, bias=False) for n in ("q", "k", "v", "out")})

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = (self.proj[n](x).view(B, T, self.heads, C // self.heads).transpose(1, 2) for n in ("q", "k", "v"))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj["out"](y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.act = act("relu2")
        self.proj = nn.ModuleDict({"up": nn.Linear(d, 4 * d, bias=False), "down": nn.Linear(4 * d, d, bias=False)})

    def forward(self, x):
        return self.proj["down"](self.act(self.proj["up"](x)))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.attn = Attn(d, heads)
        self.mlp = MLP(d)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


def apply_rules(model, rules):
    table = [(re.compile(pattern), INIT[kind]) for pattern, kind in rules]
    with torch.no_grad():
        for name, p in model.named_parameters():
            for rx, fn in table:
                if rx.search(name):
                    fn(p)
                    break


model = nn.ModuleList([Block(768, 6) for _ in range(12)])
apply_rules(model, RULES)
