# example: near miss - the same minGPT-style trainer and registered rate callback, but after the warmup the rate falls linearly all the way to the end (no plateau at the peak); NOT present.
from collections import defaultdict

import torch
import torch.nn as nn


class Settings:
    def __init__(self):
        self.max_iters = 5000
        self.learning_rate = 0.0015
        self.warmup_iters = 0
        self.warmdown_iters = 0


class Trainer:
    def __init__(self, config, model):
        self.config = config
        self.model = model
        self.callbacks = defaultdict(list)
        self.iter_num = 0
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)

    def add_callback(self, event, fn):
        self.callbacks[event].append(fn)

    def fire(self, event):
        for fn in self.callbacks.get(event, []):
            fn(self)

    def run(self, x, y):
        self.iter_num = 0
        while True:
            self.done = self.iter_num == self.config.max_iters
            self.fire("on_batch_start")
            if self.done:
                break
            loss = ((self.model(x) - y) ** 2).mean()
            loss.backward()
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.iter_num += 1


def set_lr(trainer):
    cfg = trainer.config
    it = trainer.iter_num
    if it < cfg.warmup_iters:
        lr = cfg.learning_rate * (it + 1) / cfg.warmup_iters
    else:
        lr = cfg.learning_rate * (cfg.max_iters - it) / (cfg.max_iters - cfg.warmup_iters)
    for group in trainer.optimizer.param_groups:
        group["lr"] = lr


config = Settings()
config.learning_rate = 0.0018
config.warmup_iters = 250
config.warmdown_iters = 1500
trainer = Trainer(config, nn.Linear(64, 64))
trainer.add_callback("on_batch_start", set_lr)
trainer.run(torch.randn(8, 64), torch.randn(8, 64))
