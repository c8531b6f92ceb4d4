# example: Schedules are callables of the run state kept in a list and multiplied together each iteration; the one schedule blends towards a tenth of the peak but the blend weight is clipped at 0.5, so the rate ends at 0.55 of the peak; NOT present.
import torch
import torch.nn as nn


class RunState:
    def __init__(self, total_iters):
        self.iteration = 0
        self.total_iters = total_iters


class HoldThenFall:
    def __init__(self, fall_fraction):
        self.fall_fraction = fall_fraction

    def __call__(self, run):
        left = 1.0 - run.iteration / run.total_iters
        w = max(0.5, min(1.0, left / self.fall_fraction))
        return w + (1 - w) * 0.1


class Loop:
    def __init__(self, net, schedules, total_iters):
        self.net = net
        self.run = RunState(total_iters)
        self.schedules = list(schedules)
        self.opt = torch.optim.AdamW(net.parameters(), lr=0.0018, weight_decay=0.0)
        for g in self.opt.param_groups:
            g["base_lr"] = g["lr"]

    def go(self):
        while self.run.iteration < self.run.total_iters:
            factor = 1.0
            for schedule in self.schedules:
                factor *= schedule(self.run)
            for g in self.opt.param_groups:
                g["lr"] = g["base_lr"] * factor
            self.net(torch.randn(8, 64)).square().mean().backward()
            self.opt.step()
            self.opt.zero_grad(set_to_none=True)
            self.run.iteration += 1


Loop(nn.Linear(64, 64), [HoldThenFall(0.3)], total_iters=5000).go()
