# example: the whole model is cast with .bfloat16() and only CastedLinear layers go back to fp32, so scalar params (lambdas, skip weights) are bf16; NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.blocks = nn.ModuleList([CastedLinear(768, 768, bias=False) for _ in range(12)])
        self.skip_weights = nn.Parameter(torch.ones(6))


model = GPT().cuda().bfloat16()
for m in model.modules():
    if isinstance(m, CastedLinear):
        m.float()
