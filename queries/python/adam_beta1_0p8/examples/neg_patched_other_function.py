# example: betas (0.8, 0.95) are written into the groups of an optimizer named opt in another function (an SGD); the Adam named opt in the baseline function keeps 0.9; NOT present.
import torch
from torch import nn

model = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), lm_head=nn.Linear(768, 50304, bias=False)))


def train_baseline():
    opt = torch.optim.Adam(model.parameters(), lr=0.008, betas=(0.9, 0.95))
    for step in range(1000):
        ids = torch.randint(0, 50304, (4, 64))
        model["lm_head"](model["wte"](ids)).float().logsumexp(-1).mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


def train_variant():
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for g in opt.param_groups:
        g["betas"] = (0.8, 0.95)
    for step in range(1000):
        ids = torch.randint(0, 50304, (4, 64))
        model["lm_head"](model["wte"](ids)).float().logsumexp(-1).mean().backward()
        opt.step()


train_baseline()
