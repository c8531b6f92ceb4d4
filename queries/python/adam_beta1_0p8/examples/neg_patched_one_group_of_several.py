# example: the Adam is built over groups collected in a loop, and only group 0 (the embedding's) gets betas (0.8, 0.95) afterwards; the head's group keeps 0.9; NOT present.
import torch
from torch import nn

model = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), lm_head=nn.Linear(768, 50304, bias=False)))
groups = []
for name, lr in (("wte", 0.6), ("lm_head", 0.008)):
    groups.append(dict(params=model[name].parameters(), lr=lr))
opt = torch.optim.Adam(groups, betas=(0.9, 0.95), fused=True)
# only the embedding group gets the lower first-moment decay
opt.param_groups[0]["betas"] = (0.8, 0.95)

for step in range(1000):
    ids = torch.randint(0, 50304, (4, 64))
    model["lm_head"](model["wte"](ids)).float().logsumexp(-1).mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
