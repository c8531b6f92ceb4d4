# example: near miss - CastedLinear layers with fp32 weights, but the model is not cast to bf16 and the forward still runs under torch.autocast; negative (autocast not removed).
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    """fp32 master weight, cast to the activation dtype at use."""

    def forward(self, inp):
        w = self.weight.to(inp.dtype)
        return F.linear(inp, w)


class Net(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.emb = nn.Embedding(50304, d)
        self.fc = CastedLinear(d, d, bias=False)
        self.head = CastedLinear(d, 50304, bias=False)

    def forward(self, ids):
        return self.head(self.fc(self.emb(ids)))


net = Net().cuda()
ids = torch.randint(0, 50304, (2, 64), device="cuda")
with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
    loss = F.cross_entropy(net(ids).float().flatten(0, 1), ids.flatten())
loss.backward()
