# example: near miss - the rates are a tensor table warmed up over 10 steps and then flat, with no cooldown; a view taken of a table whose name is bound again before the view is written is ignored; negative.
import torch
n = 10
t = torch.zeros(n)
tail = t.narrow(0, 5, 5)
t, m = torch.zeros(2), 2
t.fill_(1.0)
tail.fill_(2.0)
lrs = torch.empty(100)
lrs.fill_(0.1)
lrs.narrow(0, 0, 10).copy_(torch.linspace(0, 0.1, 10))
def get_lr(step):
    return lrs.select(0, step).item()
for step in range(100):
    lr = get_lr(step)
