# example: a callable schedule object (warmup, flat, linear warmdown to 0 in __call__) overloads `*` to return itself scaled by the peak (`lambda it: peak * self(it)`); the loop writes `get_lr(step)` to every group's lr; positive.
import torch


class Trapezoid:
    def __init__(self, total, rise, fall):
        self.total = total
        self.rise = rise
        self.fall = fall

    def __call__(self, it):
        if it < self.rise:
            return (it + 1) / self.rise
        if it < self.total - self.fall:
            return 1.0
        return (self.total - it) / self.fall

    def __mul__(self, peak):
        return lambda it: peak * self(it)

    __rmul__ = __mul__


num_iterations = 5000
model = torch.nn.Linear(4, 4)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)
get_lr = Trapezoid(num_iterations, 256, 1500) * 0.0018
for step in range(num_iterations):
    loss = model(torch.randn(2, 4)).sum()
    loss.backward()
    lr = get_lr(step)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
