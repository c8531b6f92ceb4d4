# example: a factory returns the schedule closure (warmup, plateau, linear slide to zero over the last 2000 steps), and a second factory takes that schedule as a parameter and returns a setter closure that writes schedule(step) into every param group; positive.
import torch

TOTAL, WARMUP, COOLDOWN, PEAK = 6000, 200, 2000, 0.0018


def make_schedule(peak, total, warmup, cooldown):
    flat_until = total - cooldown

    def at(step):
        if step < warmup:
            return peak * (step + 1) / warmup
        if step < flat_until:
            return peak
        return peak * (total - step) / cooldown

    return at


def make_setter(opt, schedule):
    def apply(step):
        rate = schedule(step)
        for group in opt.param_groups:
            group["lr"] = rate
        return rate

    return apply


model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=PEAK)
lr_of = make_schedule(PEAK, TOTAL, WARMUP, COOLDOWN)
apply_lr = make_setter(opt, lr_of)
for step in range(TOTAL):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    apply_lr(step)
    opt.step()
    opt.zero_grad(set_to_none=True)
