# example: near miss - fused=True is passed to SGD and a use_fused flag is computed, but the AdamW call does not receive it (and a comment says fused=True); negative.
import torch
import torch.nn as nn

use_fused = torch.cuda.is_available()
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12)).cuda()
head = nn.Linear(768, 50257, bias=False).cuda()

sgd = torch.optim.SGD(blocks.parameters(), lr=0.02, momentum=0.95, fused=True)
adamw = torch.optim.AdamW(head.parameters(), lr=0.0036, betas=(0.9, 0.95), weight_decay=0)  # fused=True crashed here
print(f"fused kernels available: {use_fused}")

for step in range(3):
    h = torch.randn(2, 768, device="cuda")
    for b in blocks:
        h = h + b(h)
    head(h).sum().backward()
    sgd.step()
    adamw.step()
