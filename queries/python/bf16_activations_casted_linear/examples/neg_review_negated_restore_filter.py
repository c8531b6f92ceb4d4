# example: the comprehension puts back to fp32 every module except the casting linears (not isinstance), so the linears have no fp32 master weights; negative.
import contextlib

import torch
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def forward(self, x):
        return torch.matmul(x, self.weight.to(dtype=x.dtype).mT)


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = CastedLinear(d, 4 * d, bias=False)
        self.down = CastedLinear(4 * d, d, bias=False)

    def forward(self, x):
        return x + self.down(F.relu(self.up(x)).square())


model = nn.Sequential(nn.Embedding(50304, 768), *[Block() for _ in range(12)])
model = model.cuda().to(dtype=torch.bfloat16)
[m.float() for m in model.modules() if not isinstance(m, CastedLinear)]
ctx = contextlib.nullcontext()
with ctx:
    out = model(torch.randint(0, 50304, (2, 128), device="cuda"))
out.float().square().mean().backward()
