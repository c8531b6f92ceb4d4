# example: a helper receives the model, casts it to bf16 and puts the casting linears back to fp32; no autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastAtUse(nn.Linear):
    def forward(self, inp):
        return F.linear(inp, self.weight.to(dtype=inp.dtype))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 32)
        self.fc = CastAtUse(32, 32, bias=False)

    def forward(self, idx):
        return self.fc(self.emb(idx))


def half_activations(module):
    module.bfloat16()
    for sub in module.modules():
        if isinstance(sub, CastAtUse):
            sub.float()
    return module


net = half_activations(Net().cuda())
out = net(torch.zeros(4, 8, dtype=torch.long, device="cuda"))
