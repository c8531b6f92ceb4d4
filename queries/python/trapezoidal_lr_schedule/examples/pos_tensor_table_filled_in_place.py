# example: the whole run's learning rates precomputed into a 1-D tensor written in place (fill_ to the peak, warmup and the last 25% written through narrow views, one held by a local, then clamp_) and read back per step with select().item(); positive (in-place tensor table spelling).
import torch

TOTAL = 4000
WARMUP = 100
PEAK = 3e-3

net = torch.nn.Linear(256, 256)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK, weight_decay=0.0)

table = torch.empty(TOTAL + 1, dtype=torch.float64)
table.fill_(PEAK)
steps = torch.arange(TOTAL + 1, dtype=torch.float64)
table.narrow(0, 0, WARMUP).copy_(steps.narrow(0, 0, WARMUP).add(1.0).div_(WARMUP).mul_(PEAK))
start = TOTAL - TOTAL // 4
tail = table.narrow(0, start, TOTAL + 1 - start)
tail.copy_(steps.narrow(0, start, TOTAL + 1 - start).neg().add_(TOTAL).div_(TOTAL - start).mul_(PEAK))
table.clamp_(min=0.0, max=PEAK)


def lr_at(it):
    return table.select(0, it).item()


for it in range(TOTAL):
    net(torch.randn(8, 256)).pow(2).mean().backward()
    for group in opt.param_groups:
        group["lr"] = lr_at(it)
    opt.step()
    opt.zero_grad(set_to_none=True)
