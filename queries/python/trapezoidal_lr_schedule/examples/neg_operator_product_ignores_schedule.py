# example: near miss - the schedule object's __call__ is a trapezoid, but its overloaded `*` returns a plain linear decay from step 0 (`lambda it: peak * (1 - it / self.total)`) that never calls it, and that product is what the loop writes to the groups; negative.
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
        return lambda it: peak * (1 - it / self.total)


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
