# example: the linear reads its weight into a local and casts that (`w = self.weight`, `w.to(dtype=x.dtype)`); after model.bfloat16() a loop over the modules skips everything else with `if not isinstance(m, FollowLinear): continue` and then calls m.float(); positive (guard clause restore, cast through a local).
import torch
import torch.nn as nn
import torch.nn.functional as F


class FollowLinear(nn.Linear):
    def forward(self, x):
        w = self.weight
        if w.dtype != x.dtype:
            w = w.to(dtype=x.dtype)
        return F.linear(x, w)


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = FollowLinear(d, 4 * d, bias=False)
        self.down = FollowLinear(4 * d, d, bias=False)

    def forward(self, x):
        return x + self.down(F.relu(self.up(x)).square())


model = nn.Sequential(nn.Embedding(50304, 768), *[Block() for _ in range(12)])
model = model.cuda().bfloat16()
for m in model.modules():
    if not isinstance(m, FollowLinear):
        continue
    m.float()
out = model(torch.randint(0, 50304, (2, 128), device="cuda"))
out.float().square().mean().backward()
