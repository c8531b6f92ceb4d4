# example: the stem is built by a factory returning nn.Sequential(OrderedDict([("wte", Embedding), ("norm", Norm())])), assigned self.stem = make_stem(cfg) and run first in forward; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from collections import OrderedDict

CFG = dict(vocab_size=50304, n_embd=768, n_layer=12, embed_lr=0.3, head_lr=0.002)


class Norm(nn.Module):
    def forward(self, x):
        return F.rms_norm(x, (x.size(-1),))


def zeroed_linear(d_in, d_out):
    lin = nn.Linear(d_in, d_out, bias=False)
    lin.weight.data.zero_()
    return lin


def make_stem(cfg):
    return nn.Sequential(OrderedDict([
        ("wte", nn.Embedding(cfg["vocab_size"], cfg["n_embd"])),
        ("norm", Norm()),
    ]))


def make_readout(cfg):
    return nn.Sequential(OrderedDict([
        ("norm", Norm()),
        ("lm_head", zeroed_linear(cfg["n_embd"], cfg["vocab_size"])),
    ]))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.stem = make_stem(cfg)
        self.blocks = nn.ModuleList(nn.Linear(cfg["n_embd"], cfg["n_embd"], bias=False) for _ in range(cfg["n_layer"]))
        self.readout = make_readout(cfg)

    def forward(self, idx, targets):
        x = self.stem(idx)
        for block in self.blocks:
            x = x + F.relu(block(F.rms_norm(x, (x.size(-1),)))).square()
        logits = self.readout(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = GPT(CFG)
embed_params = list(model.stem.wte.parameters())
head_params = list(model.readout.lm_head.parameters())
embed_opt = torch.optim.Adam(embed_params, lr=CFG["embed_lr"], betas=(0.8, 0.95))
head_opt = torch.optim.Adam(head_params, lr=CFG["head_lr"], betas=(0.8, 0.95))
