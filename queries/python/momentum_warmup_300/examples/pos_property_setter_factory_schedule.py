# example: the training step assigns `muon.momentum = self.momentum_schedule(step)`; Muon's `@momentum.setter` writes the group's "momentum", and the schedule is a callable object a factory builds from a registry (`ScheduleFactory.create("momentum", horizon=300, ...)`), its horizon handed to the base through `super().__init__`; a 300-step ramp; present.
import torch


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @property
    def momentum(self):
        return self.param_groups[0]["momentum"]

    @momentum.setter
    def momentum(self, value):
        self.param_groups[0]["momentum"] = value

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                X = buf / (buf.norm() + 1e-7)
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.add_(X, alpha=-group["lr"])


class StepSchedule:
    def __init__(self, total_steps):
        self.total_steps = total_steps


class LinearMomentumWarmup(StepSchedule):
    def __init__(self, horizon=300, start=0.85, end=0.95):
        super().__init__(horizon)
        self.start, self.end = start, end

    def __call__(self, step):
        frac = min(step / self.total_steps, 1)
        return (1 - frac) * self.start + frac * self.end


class ScheduleFactory:
    _registry = {"momentum": LinearMomentumWarmup}

    @classmethod
    def create(cls, kind, **kw):
        return cls._registry[kind](**kw)


class Trainer:
    def __init__(self, weights, muon, momentum_schedule):
        self.weights, self.muon, self.momentum_schedule = weights, muon, momentum_schedule

    def train_step(self, step):
        sum(w.square().sum() for w in self.weights).backward()
        self.muon.momentum = self.momentum_schedule(step)
        self.muon.step()

    def run(self, steps):
        for step in range(steps):
            self.train_step(step)


weights = [torch.randn(768, 768, requires_grad=True) for _ in range(4)]
trainer = Trainer(weights, Muon(weights), ScheduleFactory.create("momentum", horizon=300, start=0.85, end=0.95))
trainer.run(1000)
