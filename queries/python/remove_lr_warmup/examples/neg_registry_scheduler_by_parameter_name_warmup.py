# example: an HF-style get_scheduler(name, ...) picks its multiplier from a module registry by the name it is given (fn = SCHEDULES[name]) and wraps it in LambdaLR; the only call passes the config's lr_scheduler_type "warmup_stable_decay" with warmup_steps = 200, so the run ramps up over 200 steps; negative (warmup kept).
from dataclasses import dataclass

import torch


@dataclass
class TrainingArguments:
    learning_rate: float = 0.0036
    lr_scheduler_type: str = "warmup_stable_decay"
    warmup_steps: int = 200
    decay_steps: int = 2000
    max_steps: int = 7000


def _warmup_stable_decay(step, *, num_warmup_steps, num_decay_steps, num_training_steps):
    if step < num_warmup_steps:
        return (step + 1) / num_warmup_steps
    if step < num_training_steps - num_decay_steps:
        return 1.0
    return (num_training_steps - step) / num_decay_steps


def _constant(step, **_):
    return 1.0


SCHEDULES = {
    "warmup_stable_decay": _warmup_stable_decay,
    "constant": _constant,
}


def get_scheduler(name, optimizer, num_warmup_steps=0, num_training_steps=None, num_decay_steps=0):
    fn = SCHEDULES[name]
    def lr_lambda(step):
        return fn(step, num_warmup_steps=num_warmup_steps, num_decay_steps=num_decay_steps,
                  num_training_steps=num_training_steps)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


args = TrainingArguments()
net = torch.nn.Linear(768, 768, bias=False)
opt = torch.optim.AdamW(net.parameters(), lr=args.learning_rate, weight_decay=0.0)
sched = get_scheduler(args.lr_scheduler_type, opt, num_warmup_steps=args.warmup_steps,
                      num_training_steps=args.max_steps, num_decay_steps=args.decay_steps)
for step in range(args.max_steps):
    net(torch.randn(2, 768)).pow(2).mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad()
