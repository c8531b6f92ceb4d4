# example: a scheduler object with get_lr(initial_lr, step, max_steps), chosen by an enum in the config and held by a trainer dataclass that sets its step field from the loop; positive.
import math
from dataclasses import dataclass, field
from enum import Enum

import torch


class SchedulerType(str, Enum):
    cosine = "cosine"
    wsd = "wsd"


@dataclass
class SchedulerConfig:
    name: SchedulerType = SchedulerType.cosine
    t_warmup: int = 200
    t_decay: int = 1500


@dataclass
class TrainConfig:
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    max_duration: int = 6000
    lr: float = 0.003


@dataclass
class CosineWithWarmup:
    t_warmup: int

    def get_lr(self, initial_lr, step, max_steps):
        if step < self.t_warmup:
            return initial_lr * (step + 1) / self.t_warmup
        return initial_lr * 0.5 * (1 + math.cos(math.pi * step / max_steps))


@dataclass
class WarmupStableDecay:
    t_warmup: int
    t_decay: int

    def get_lr(self, initial_lr, step, max_steps):
        if step < self.t_warmup:
            return initial_lr * (step + 1) / self.t_warmup
        if step < max_steps - self.t_decay:
            return initial_lr
        return initial_lr * (max_steps - step) / self.t_decay


def build_scheduler(cfg):
    s = cfg.scheduler
    if s.name == SchedulerType.cosine:
        return CosineWithWarmup(t_warmup=s.t_warmup)
    if s.name == SchedulerType.wsd:
        return WarmupStableDecay(t_warmup=s.t_warmup, t_decay=s.t_decay)
    raise ValueError(s.name)


@dataclass
class Trainer:
    cfg: TrainConfig
    optim: torch.optim.Optimizer
    scheduler: object
    global_step: int = 0

    def train_step(self, loss):
        loss.backward()
        for group in self.optim.param_groups:
            group["lr"] = self.scheduler.get_lr(group["initial_lr"], self.global_step, self.cfg.max_duration)
        self.optim.step()
        self.optim.zero_grad(set_to_none=True)

    def fit(self, model, batches):
        for step in range(self.cfg.max_duration):
            self.global_step = step
            self.train_step(model(next(batches)).mean())


cfg = TrainConfig(scheduler=SchedulerConfig(name=SchedulerType.wsd, t_warmup=256, t_decay=2000), max_duration=9000)
model = torch.nn.Linear(64, 64)
optim = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
for group in optim.param_groups:
    group["initial_lr"] = cfg.lr
Trainer(cfg=cfg, optim=optim, scheduler=build_scheduler(cfg)).fit(model, iter(lambda: torch.randn(8, 64), None))
