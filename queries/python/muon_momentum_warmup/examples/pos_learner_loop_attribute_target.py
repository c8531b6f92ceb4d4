# example: a fastai-like learner counts its iterations in an attribute it takes as the loop's own target (`for self.iter in range(n_iter)`), and a callback ramps Muon's momentum from `self.learn.iter`; present.
import torch
from muon import Muon


class MomentumRamp:
    def __init__(self, opt, start, end, over):
        self.opt, self.start, self.end, self.over = opt, start, end, over

    def before_batch(self):
        frac = min(self.learn.iter / self.over, 1.0)
        for g in self.opt.param_groups:
            g["momentum"] = self.start + (self.end - self.start) * frac


class Learner:
    def __init__(self, model, opt, cbs):
        self.model, self.opt, self.cbs = model, opt, cbs
        for cb in cbs:
            cb.learn = self

    def fit(self, n_iter, batches):
        for self.iter in range(n_iter):
            for cb in self.cbs:
                cb.before_batch()
            self.model(next(batches)).square().mean().backward()
            self.opt.step()
            self.opt.zero_grad(set_to_none=True)


model = torch.nn.Linear(64, 64, bias=False)
muon = Muon(model.parameters(), lr=0.02, momentum=0.95)
learner = Learner(model, muon, [MomentumRamp(muon, 0.85, 0.95, 300)])
learner.fit(2000, iter(torch.randn(2000, 8, 64)))
