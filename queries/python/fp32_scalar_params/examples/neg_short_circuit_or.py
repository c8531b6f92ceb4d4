# example: near miss - the short-circuit is an `or`: `isinstance(m, nn.Embedding) or m.bfloat16()` casts every
# module that is NOT an embedding (linears, and the modules holding the lambdas and skip weights) to bf16 and
# leaves the embeddings fp32; the opposite split; NOT present.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok = nn.Embedding(50304, 512); s.ve = nn.ModuleList(nn.Embedding(50304, 512) for _ in range(3))
        s.h = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(8)); s.sw = nn.Parameter(torch.ones(4))


model = Net().cuda()
for m in model.modules(): isinstance(m, nn.Embedding) or m.bfloat16()
