# example: a fairseq-style scheduler object: its factor method reads the argparse knobs through an alias (a = self.args) and step_update writes each group's lr; no warmup, flat, then a linear warmdown to 0; positive.
import argparse
import torch

class TrapezoidSchedule:
    def __init__(self, optimizers, args):
        self.optimizers, self.args = optimizers, args
        for opt in optimizers:
            for g in opt.param_groups:
                g["initial_lr"] = g["lr"]

    def factor(self, n):
        a = self.args
        if a.warmup_updates > 0 and n < a.warmup_updates:
            return (n + 1) / a.warmup_updates
        decay_start = a.max_update - a.warmdown_updates
        if n < decay_start:
            return 1.0
        return (a.max_update - n) / a.warmdown_updates

    def step_update(self, num_updates):
        f = self.factor(num_updates)
        for opt in self.optimizers:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * f
        return f

p = argparse.ArgumentParser()
p.add_argument("--max-update", type=int, default=3000)
p.add_argument("--warmup-updates", type=int, default=0)
p.add_argument("--warmdown-updates", type=int, default=900)
args = p.parse_args()
model = torch.nn.Linear(4, 4)
opt = torch.optim.AdamW(model.parameters(), lr=0.001)
sched = TrapezoidSchedule([opt], args)
for num_updates in range(args.max_update):
    loss = model(torch.randn(2, 4)).sum()
    loss.backward()
    opt.step()
    sched.step_update(num_updates)
