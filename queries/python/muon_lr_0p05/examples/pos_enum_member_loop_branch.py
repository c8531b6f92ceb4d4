# example: Muon's rate is a tuple-valued Enum member read through a property on the loop variable of a table keyed by members, in the branch that picks the hidden-matrix member (0.05); positive.
import enum

import torch
from torch import nn
from muon import Muon


class Slot(enum.Enum):
    EMBED = ("adam", 0.6)
    HEAD = ("adam", 0.008)
    HIDDEN = ("muon", 0.05)

    @property
    def lr(self):
        return self.value[1]


net = nn.Sequential(nn.Embedding(50304, 512), *[nn.Linear(512, 512, bias=False) for _ in range(6)], nn.Linear(512, 50304, bias=False))
slot_params = {
    Slot.EMBED: [net[0].weight],
    Slot.HEAD: [net[-1].weight],
    Slot.HIDDEN: [p for p in net[1:-1].parameters() if p.ndim == 2],
}
optimizers = {}
for slot, group in slot_params.items():
    if slot is Slot.HIDDEN:
        optimizers[slot] = Muon(group, lr=slot.lr, momentum=0.95)
    else:
        optimizers[slot] = torch.optim.Adam(group, lr=slot.lr, betas=(0.8, 0.95))
