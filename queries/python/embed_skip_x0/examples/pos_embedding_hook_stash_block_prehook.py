# example: hooks put on from outside: a forward hook on the token embedding keeps its (normalized) output in a shared
# dict every forward, and a pre-hook on every block mixes the block's input with that kept embedding using the block's
# own two learned weights; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)

    def forward(self, x):
        return x + self.fc(F.rms_norm(x, (x.size(-1),)))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.tokens = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(depth))
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.tokens(idx)
        for blk in self.blocks:
            x = blk(x)
        return self.head(x)


def attach(model):
    memo = {}

    def keep_embedding(mod, inp, out):
        out = F.rms_norm(out, (out.size(-1),))
        memo["first"] = out
        return out

    def remix(mod, args):
        (x,) = args
        w = mod.gains
        return (w[0] * x + w[1] * memo["first"],)

    model.tokens.register_forward_hook(keep_embedding)
    for blk in model.blocks:
        blk.register_parameter("gains", nn.Parameter(torch.tensor([1.0, 0.0])))
        blk.register_forward_pre_hook(remix)


net = Net()
attach(net)
