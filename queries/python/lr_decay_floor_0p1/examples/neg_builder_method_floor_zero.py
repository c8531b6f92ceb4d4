# example: the same trainer method, called with a floor of zero, so the cooldown ends at nothing; negative.
import torch
from torch.optim.lr_scheduler import LambdaLR


class Trainer:
    def __init__(self, model, steps):
        self.opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
        self.steps = steps
        self.sched = self.build_schedule(self.opt, steps, 0.35, min_ratio=0.0)

    def build_schedule(self, opt, total, cooldown_frac, min_ratio=0.1):
        cooldown = int(total * cooldown_frac)
        knee = total - cooldown

        def factor(i):
            if i < knee:
                return 1.0
            return min_ratio + (1 - min_ratio) * (total - i) / cooldown

        return LambdaLR(opt, factor)

    def fit(self):
        for i in range(self.steps):
            self.opt.step()
            self.sched.step()


Trainer(torch.nn.Linear(8, 8), 3000).fit()
