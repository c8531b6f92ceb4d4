# example: q and k go through a Norm module whose forward is inherited from a Lambda wrapper (`class Norm(Lambda): super().__init__(rms)`, `Lambda.forward` returning `self.fn(x)`), applied per head after the split; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from collections import OrderedDict

CFG = dict(n_embd=768, n_head=6, zero_init_out=True)


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


def relu_sq(x):
    return F.relu(x).square()


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class Norm(Lambda):
    def __init__(self):
        super().__init__(rms)


class Act(Lambda):
    def __init__(self):
        super().__init__(relu_sq)


class Residual(nn.Module):
    def __init__(self, branch):
        super().__init__()
        self.branch = branch

    def forward(self, x):
        return x + self.branch(x)


class HeadMixer(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.qk_post = Norm()

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, C // self.n_head).unbind(2)
        q, k = self.qk_post(q), self.qk_post(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(B, T, C)


def out_projection(d_in, d_out, cfg):
    proj = nn.Linear(d_in, d_out, bias=False)
    if cfg["zero_init_out"]:
        nn.init.zeros_(proj.weight)
    return proj


def make_block(i, cfg):
    d = cfg["n_embd"]
    attn_branch = nn.Sequential(OrderedDict([
        ("norm", Norm()),
        ("mix", HeadMixer(d, cfg["n_head"])),
        ("out", out_projection(d, d, cfg)),
    ]))
    mlp_branch = nn.Sequential(OrderedDict([
        ("norm", Norm()),
        ("up", nn.Linear(d, 4 * d, bias=False)),
        ("act", Act()),
        ("down", out_projection(4 * d, d, cfg)),
    ]))
    return nn.Sequential(OrderedDict([("attn", Residual(attn_branch)), ("mlp", Residual(mlp_branch))]))


class Trunk(nn.Module):
    def __init__(self, cfg, n_layer=12):
        super().__init__()
        self.layers = nn.Sequential(*[make_block(i, cfg) for i in range(n_layer)])

    def forward(self, x):
        for name, module in self.layers.named_children():
            x = module(x)
        return x
