# example: the attention takes its q/k norm from a decorator registry by a key read off the model's entry of a nested configuration dictionary, and applies it per head when that entry is set; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

REGISTRY = {}

def register(kind, name):
    def wrap(obj):
        REGISTRY.setdefault(kind, {})[name] = obj
        return obj
    return wrap

def lookup(kind, name):
    return REGISTRY[kind][name]

@register("norm", "rms")
def rms_normalize(x):
    return F.rms_norm(x, (x.size(-1),))

CONFIG = {"model": {"width": 768, "heads": 6, "qk_norm": "rms"}}

class Mixer(nn.Module):
    def __init__(self, mc):
        super().__init__()
        self.heads = mc["heads"]
        self.qkv = nn.Linear(mc["width"], 3 * mc["width"], bias=False)
        self.qk_norm = lookup("norm", mc["qk_norm"]) if mc["qk_norm"] else None

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).unbind(2)
        if self.qk_norm is not None:
            q, k = self.qk_norm(q), self.qk_norm(k)
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)

mixer = Mixer(CONFIG["model"])
