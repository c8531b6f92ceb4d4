# example: near miss - CastedLinear is used and the model is cast wholesale with .bfloat16(), but the linears are never put back to fp32, so there are no fp32 master weights; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Net(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.emb = nn.Embedding(50304, d)
        self.fc = CastedLinear(d, d, bias=False)

    def forward(self, ids):
        return self.fc(self.emb(ids))


net = Net().cuda().bfloat16()
out = net(torch.randint(0, 50304, (2, 64), device="cuda"))
out.float().mean().backward()
