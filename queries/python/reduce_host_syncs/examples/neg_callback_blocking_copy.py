# example (negative): the same trainer framework, but the callback refreshes the module's window tensor with
# a blocking copy (no non_blocking), so every change still makes the host wait.
import torch


class WindowCallback:
    def __init__(self, total):
        self.total = total
        self.last = None

    def before_step(self, trainer, module, step):
        tokens = 128 * (1 + (13 * step) // self.total)
        if tokens != self.last:
            module.window.copy_(torch.tensor(tokens, dtype=torch.int32))
            self.last = tokens


class Module:
    def __init__(self, net):
        self.net = net
        self.window = torch.tensor(128, dtype=torch.int32, device="cuda")

    def train_step(self, batch):
        inputs, targets = batch
        return self.net(inputs, targets, self.window)


class Trainer:
    def __init__(self, callbacks):
        self.callbacks = callbacks

    def fit(self, module, batches, optimizer, steps):
        for step in range(steps):
            for cb in self.callbacks:
                cb.before_step(self, module, step)
            loss = module.train_step(next(batches))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)


def run(net, batches, optimizer, steps):
    Trainer([WindowCallback(steps)]).fit(Module(net), batches, optimizer, steps)
