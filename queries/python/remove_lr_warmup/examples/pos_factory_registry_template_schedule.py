# example: a schedule object made by a factory from a class registry (`ScheduleFactory.create("trapezoid", **kw)`), whose abstract base's `__call__` runs the subclass's `factor`, whose total reaches the base through `super().__init__` and whose cooldown start is a read-only property; warmup 0, so no ramp; present.
import abc
import torch


class LrSchedule(abc.ABC):
    def __init__(self, total):
        self.total = total

    @abc.abstractmethod
    def factor(self, step):
        ...

    def __call__(self, step):
        return self.factor(step)


class Trapezoid(LrSchedule):
    def __init__(self, total, warmup, cooldown):
        super().__init__(total)
        self.warmup, self.cooldown = warmup, cooldown

    @property
    def cooldown_start(self):
        return self.total - self.cooldown

    def factor(self, step):
        if step < self.warmup:
            return (step + 1) / self.warmup
        if step < self.cooldown_start:
            return 1.0
        return (self.total - step) / self.cooldown


class ScheduleFactory:
    _kinds = {"trapezoid": Trapezoid}

    @classmethod
    def create(cls, kind, **kwargs):
        return cls._kinds[kind](**kwargs)


model = torch.nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0036)
sched = torch.optim.lr_scheduler.LambdaLR(opt, ScheduleFactory.create("trapezoid", total=5000, warmup=0, cooldown=1500))
for step in range(5000):
    model(torch.randn(8, 768)).square().mean().backward()
    opt.step()
    sched.step()
