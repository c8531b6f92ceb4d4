# example: a callback refreshes the trainer state entry with a non-blocking copy on change, but the trainer prints loss.item() every step; negative.
import torch


class WindowGrowth:
    def __init__(self, total):
        self.total = total
        self.current = None

    def on_train_begin(self, trainer):
        self.host = torch.empty((), dtype=torch.int32, pin_memory=True)
        trainer.state["window"] = torch.tensor(64, dtype=torch.int32, device="cuda")

    def on_step_begin(self, step, trainer):
        size = 64 * int((64 + 1728 * step / self.total) // 64)
        if size != self.current:
            self.host.fill_(size)
            trainer.state["window"].copy_(self.host, non_blocking=True)
            self.current = size


class Trainer:
    def __init__(self, model, optimizer, loader, callbacks):
        self.model, self.optimizer, self.loader, self.callbacks = model, optimizer, loader, callbacks
        self.state = {}

    def fit(self, steps):
        for cb in self.callbacks:
            cb.on_train_begin(self)
        for step in range(steps):
            for cb in self.callbacks:
                cb.on_step_begin(step, self)
            x, y = self.loader.next_batch()
            loss = self.model(x, y, window=self.state["window"])
            loss.backward()
            self.optimizer.step()
            self.model.zero_grad(set_to_none=True)
            print(f"step:{step + 1}/{steps} loss:{loss.item():.4f}")


def main(model, optimizer, loader):
    Trainer(model, optimizer, loader, [WindowGrowth(1000)]).fit(1000)
