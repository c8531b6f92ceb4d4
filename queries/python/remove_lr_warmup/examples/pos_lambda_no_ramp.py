# example: LambdaLR with an inline lambda that is 1.0 until the last 1450 steps and then decays linearly; no warmup term at all; positive.
import torch

N = 5100
COOL = 1450
head = torch.nn.Linear(768, 50304, bias=False)
opt = torch.optim.AdamW(head.parameters(), lr=0.0036, weight_decay=0, fused=False)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (N - s) / COOL))
for s in range(N):
    head(torch.randn(1, 768)).sum().backward()
    opt.step()
    sched.step()
    opt.zero_grad()
