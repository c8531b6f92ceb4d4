# example: the schedule function takes its horizon by keyword, bound with functools.partial before it is handed
# to LambdaLR: flat at 1, then a linear warmdown to 0; positive.
from functools import partial

import torch


def wsd_multiplier(step, total, warmdown):
    if step < total - warmdown:
        return 1.0
    return (total - step) / warmdown


def main(num_iters=3000, warmdown=900):
    model = torch.nn.Linear(64, 64)
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, partial(wsd_multiplier, total=num_iters, warmdown=warmdown))
    for _ in range(num_iters):
        model(torch.randn(8, 64)).sum().backward()
        opt.step()
        sched.step()
        opt.zero_grad()


main()
