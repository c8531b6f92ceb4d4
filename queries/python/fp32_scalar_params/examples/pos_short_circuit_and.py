# example: terse style; the model stays fp32 and a loop over its modules casts each embedding with a short-circuit
# `isinstance(m, nn.Embedding) and m.bfloat16()` (no `if`); lambdas and skip weights stay fp32; positive.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok = nn.Embedding(50304, 512); s.ve = nn.ModuleList(nn.Embedding(50304, 512) for _ in range(3))
        s.h = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(8)); s.sw = nn.Parameter(torch.ones(4))


model = Net().cuda()
for m in model.modules(): isinstance(m, nn.Embedding) and m.bfloat16()
