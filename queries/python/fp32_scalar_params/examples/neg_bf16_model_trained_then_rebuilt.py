# example: a model cast whole to bf16 gets an optimizer (it is trained) before the name is rebound to an fp32 model with only embeddings cast; negative.
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


# In[3]:
net = GPT().cuda().bfloat16()
for m in net.modules():
    if isinstance(m, CastedLinear):
        m.float()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)


# In[4]:
net = GPT().cuda()
for sub in net.modules():
    if isinstance(sub, nn.Embedding):
        sub.bfloat16()
