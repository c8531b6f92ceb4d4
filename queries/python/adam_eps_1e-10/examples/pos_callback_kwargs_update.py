# example: the Adam is built with the default epsilon; a callback built as OptimizerOverrides(adam, eps=1e-10) keeps the optimizer and its **overrides on self and runs g.update(self.overrides) on every group when the trainer dispatches on_train_begin by name; positive.
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
    callbacks = [OptimizerOverrides(adam, eps=1e-10)]
    Trainer([adam], callbacks).fit(model)


if __name__ == "__main__":
    main()
