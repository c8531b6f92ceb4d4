# example: the Adams are built with betas (0.9, 0.95); a callback built with a list of (optimizer, overrides) pairs runs group.update(overrides) on each optimizer's groups when the trainer dispatches on_train_begin by name, setting betas (0.8, 0.95) on every Adam; positive.
import torch
from torch import nn


class Callback:
    def on_train_begin(self, trainer): pass


class OptimizerOverrides(Callback):
    def __init__(self, overrides):
        self.overrides = overrides  # list of (optimizer, {key: value})

    def on_train_begin(self, trainer):
        for opt, kv in self.overrides:
            for group in opt.param_groups:
                group.update(kv)


class Trainer:
    def __init__(self, optimizers, callbacks):
        self.optimizers, self.callbacks = optimizers, callbacks

    def emit(self, event, *args):
        for cb in self.callbacks:
            getattr(cb, event)(*args)

    def fit(self, model):
        self.emit("on_train_begin", self)
        for step in range(1000):
            ids = torch.randint(0, 50304, (4, 64))
            model["lm_head"](model["wte"](ids)).float().logsumexp(-1).mean().backward()
            for opt in self.optimizers:
                opt.step()
                opt.zero_grad(set_to_none=True)


def main():
    model = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), lm_head=nn.Linear(768, 50304, bias=False)))
    opt_embed = torch.optim.Adam([model["wte"].weight], lr=0.6, betas=(0.9, 0.95), fused=True)
    opt_head = torch.optim.Adam([model["lm_head"].weight], lr=0.008, betas=(0.9, 0.95), fused=True)
    retune = OptimizerOverrides([
        (opt_embed, dict(betas=(0.8, 0.95))),
        (opt_head, {"betas": (0.8, 0.95), "lr": 0.01}),
    ])
    Trainer([opt_embed, opt_head], [retune]).fit(model)


if __name__ == "__main__":
    main()
