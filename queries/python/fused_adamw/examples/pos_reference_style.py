# example: AdamW for the lm_head constructed with fused=True next to a Muon-style optimizer; positive.
import torch
import torch.nn as nn

learning_rate = 0.0036
lm_head = nn.Linear(768, 50257, bias=False).cuda()
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12)).cuda()

optimizer1 = torch.optim.AdamW(lm_head.parameters(), lr=learning_rate, betas=(0.9, 0.95),
                               weight_decay=0, fused=True)
optimizer2 = torch.optim.SGD(blocks.parameters(), lr=0.1 * learning_rate, momentum=0.95, nesterov=True)
optimizers = [optimizer1, optimizer2]

for step in range(10):
    x = torch.randn(4, 768, device="cuda")
    for blk in blocks:
        x = x + blk(x)
    lm_head(x).logsumexp(-1).mean().backward()
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
