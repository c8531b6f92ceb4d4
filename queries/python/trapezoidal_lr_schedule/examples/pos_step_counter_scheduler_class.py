# example: scheduler class keeping its own step counter (self.num_steps += 1), trapezoid chosen by a style string; positive.
import torch


class StepCountingScheduler:
    def __init__(self, optimizer, max_lr, min_lr, warmup, decay, total, style):
        self.optimizer = optimizer
        self.max_lr = float(max_lr)
        self.min_lr = min_lr
        self.warmup = warmup
        self.decay = decay
        self.total = total
        self.style = style
        self.num_steps = 0

    def get_lr(self):
        it = self.num_steps
        if it < self.warmup:
            return self.max_lr * (it + 1) / self.warmup
        if self.style == "trapezoid":
            if it < self.total - self.decay:
                return self.max_lr
            w = (self.total - it) / self.decay
            return self.max_lr * (w + (1 - w) * self.min_lr)
        ratio = (it - self.warmup) / (self.total - self.warmup)
        return self.max_lr * (1 - ratio)

    def step(self, increment=1):
        self.num_steps += increment
        lr = self.get_lr()
        for group in self.optimizer.param_groups:
            group["lr"] = lr


def train(model, batches):
    opt = torch.optim.AdamW(model.parameters(), lr=0.0018)
    sched = StepCountingScheduler(opt, 0.0018, 0.0, 256, 2000, 9536, "trapezoid")
    for step in range(9536):
        loss = model(*next(batches))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        sched.step(1)
