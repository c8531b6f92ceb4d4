# example: near miss - a single min() expression whose first term is a 100-step warmup ramp, so step 0 runs at 1% of the peak; negative.
import torch

N = 5100
WARM = 100
COOL = 1450
head = torch.nn.Linear(768, 50304, bias=False)
opt = torch.optim.AdamW(head.parameters(), lr=0.0036, weight_decay=0)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / WARM, 1.0, (N - s) / COOL))
for s in range(N):
    head(torch.randn(1, 768)).sum().backward()
    opt.step()
    sched.step()
