# example: a first model cast whole to bf16 (linears back to fp32) is printed, deleted and rebuilt in fp32 with only the embedding tables cast to bf16; positive.
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
print(f"dtypes: {sorted({str(p.dtype) for p in net.parameters()})}")


# In[4]:
def tables_to_bf16(module):
    for sub in module.modules():
        if isinstance(sub, nn.Embedding):
            sub.bfloat16()
    return module

del net


# In[5]:
net = tables_to_bf16(GPT().cuda())
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
