# example: Schedules are callables of the run state (`(state) -> multiplier`), kept in a list by the loop object, which multiplies them together each iteration and scales every group's base rate; the run state counts its iteration up by one; the one schedule holds the peak then falls linearly over the last 30%; positive.
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
        return min(1.0, left / self.fall_fraction)


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
