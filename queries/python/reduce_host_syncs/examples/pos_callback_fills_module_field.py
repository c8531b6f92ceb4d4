# example: a small trainer framework: a callback refreshes the module's window tensor with a non-blocking copy
# only when the window changes, the module's step method hands that field to the network, and the loop reads no
# loss back.
import torch


class WindowCallback:
    def __init__(self, total):
        self.total = total
        self.last = None

    def before_step(self, trainer, module, step):
        tokens = 128 * (1 + (13 * step) // self.total)
        if tokens != self.last:
            module.window.copy_(torch.tensor(tokens, dtype=torch.int32), non_blocking=True)
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
