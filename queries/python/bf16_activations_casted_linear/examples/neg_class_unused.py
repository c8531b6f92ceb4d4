# example: near miss - a CastedLinear class is defined and the model is cast to bf16, but the model is built from plain nn.Linear, so all weights are bf16 (no fp32 masters); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    """fp32 master weight, cast to the activation dtype at use."""

    def forward(self, inp):
        w = self.weight.to(inp.dtype)
        return F.linear(inp, w)


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


model = nn.Sequential(nn.Embedding(50304, 768), MLP()).cuda().bfloat16()
for m in model.modules():
    if isinstance(m, CastedLinear):
        m.float()
out = model(torch.randint(0, 50304, (2, 64), device="cuda"))
out.float().mean().backward()
