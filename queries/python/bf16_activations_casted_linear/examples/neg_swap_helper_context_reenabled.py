# example: near miss - the same swap helper, bf16 cast and fp32 restore, but the null context is replaced again by an autocast context before training, so the matmuls still run under autocast; negative.
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

amp = contextlib.nullcontext()
amp = torch.autocast("cuda", dtype=torch.bfloat16)

for step in range(10):
    with amp:
        loss = net(torch.zeros(2, 16, dtype=torch.long, device="cuda")).sum()
    loss.backward()
