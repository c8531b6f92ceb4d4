# example: the record-9 style mixed precision - plain nn.Linear layers and the forward wrapped in torch.amp.autocast(bfloat16); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


model = nn.Sequential(nn.Embedding(50304, 768), MLP(), nn.Linear(768, 50304, bias=False)).cuda()
ctx = torch.amp.autocast(device_type="cuda", dtype=torch.bfloat16)
x = torch.randint(0, 50304, (2, 128), device="cuda")
with ctx:
    logits = model(x)
    loss = F.cross_entropy(logits.float().view(-1, 50304), x.view(-1))
loss.backward()
