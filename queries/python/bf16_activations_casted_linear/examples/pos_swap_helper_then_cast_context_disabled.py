# example: a helper swaps every plain linear for one that casts its fp32 weight to the input's dtype and hands the module back; the script casts what it returns to bf16, restores the casting linears to fp32, and the autocast context it first wrote is replaced by a null context before training; positive.
import contextlib

import torch
from torch import nn
import torch.nn.functional as F


class WeightCastLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


def swap_linears(root: nn.Module) -> nn.Module:
    for name, child in list(root.named_children()):
        if type(child) is nn.Linear:
            setattr(root, name, WeightCastLinear(child.in_features, child.out_features, bias=False))
        else:
            swap_linears(child)
    return root


class Tiny(nn.Module):
    def __init__(self, vocab=50304, width=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.mix = nn.Linear(width, width, bias=False)
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        return self.out(torch.relu(self.mix(self.emb(idx)))).float()


net = swap_linears(Tiny()).cuda().bfloat16()
for module in net.modules():
    if isinstance(module, WeightCastLinear):
        module.float()

amp = torch.autocast("cuda", dtype=torch.bfloat16)
amp = contextlib.nullcontext()

for step in range(10):
    with amp:
        loss = net(torch.zeros(2, 16, dtype=torch.long, device="cuda")).sum()
    loss.backward()
