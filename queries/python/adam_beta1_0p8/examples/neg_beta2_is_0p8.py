# example: 0.8 appears inside betas but as beta2 (betas=(0.9, 0.8)); beta1 stays 0.9, so NOT present (near miss for a text matcher).
import torch
from torch import nn

head = nn.Linear(768, 50304, bias=False)
embed = nn.Embedding(50304, 768)

opt1 = torch.optim.Adam([embed.weight], lr=0.6, betas=(0.9, 0.8), fused=True)
opt2 = torch.optim.Adam([head.weight], lr=0.008, betas=(0.9, 0.8), fused=True)
optimizers = [opt1, opt2]

for opt in optimizers:
    print(opt.defaults["betas"])
