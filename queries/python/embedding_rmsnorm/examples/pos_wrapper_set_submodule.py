# example: model surgery with torch's own Module.set_submodule: the token table is replaced by a wrapper that RMS-normalizes its lookups; positive.
import torch
from torch import nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.body = nn.ModuleDict(dict(
            tok=nn.Embedding(vocab, width),
            layers=nn.ModuleList([nn.Linear(width, width, bias=False) for _ in range(depth)]),
        ))
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        x = self.body.tok(idx)
        for layer in self.body.layers:
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
        return self.out(F.rms_norm(x, (x.size(-1),)))


class NormedLookup(nn.Module):
    def __init__(self, table):
        super().__init__()
        self.table = table

    def forward(self, idx):
        e = self.table(idx)
        return F.rms_norm(e, (e.size(-1),))


def resolve(root, dotted):
    node = root
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


def install(root, dotted, module):
    owner_path, _, leaf = dotted.rpartition(".")
    owner = resolve(root, owner_path) if owner_path else root
    if leaf.isdigit():
        owner[int(leaf)] = module
    else:
        setattr(owner, leaf, module)


def operate(model):
    model.set_submodule("body.tok", NormedLookup(model.get_submodule("body.tok")))
    return model


model = operate(TinyLM())
