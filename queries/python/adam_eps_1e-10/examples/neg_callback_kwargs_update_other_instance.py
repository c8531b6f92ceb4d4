# example: the same OptimizerOverrides callback built twice: the Adam's instance sets eps=1e-8, and eps=1e-10 goes to the SGD's instance (each instance patches its own optimizer with its own keywords), so no Adam has epsilon 1e-10; negative.
import torch
from torch import nn


class Callback:
    def on_train_begin(self, trainer): pass


class OptimizerOverrides(Callback):
    def __init__(self, optimizer, **overrides):
        self.optimizer, self.overrides = optimizer, overrides

    def on_train_begin(self, trainer):
        for g in self.optimizer.param_groups:
            g.update(self.overrides)


class Trainer:
    def __init__(self, optimizers, callbacks):
        self.optimizers, self.callbacks = optimizers, callbacks

    def dispatch(self, name, *a):
        for cb in self.callbacks:
            getattr(cb, name)(*a)

    def fit(self, model):
        self.dispatch("on_train_begin", self)
        for step in range(1000):
            ids = torch.randint(0, 50304, (4, 64))
            model["lm_head"](model["wte"](ids)).float().logsumexp(-1).mean().backward()
            for opt in self.optimizers:
                opt.step()
                opt.zero_grad(set_to_none=True)


def main():
    model = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), lm_head=nn.Linear(768, 50304, bias=False)))
    adam = torch.optim.Adam([dict(params=[model["lm_head"].weight], lr=0.008), dict(params=[model["wte"].weight], lr=0.6)],
                            betas=(0.8, 0.95), fused=True)
    sgd = torch.optim.SGD([model["wte"].weight], lr=0.1, momentum=0.9)
    callbacks = [OptimizerOverrides(adam, eps=1e-8), OptimizerOverrides(sgd, eps=1e-10)]
    Trainer([adam, sgd], callbacks).fit(model)


if __name__ == "__main__":
    main()
