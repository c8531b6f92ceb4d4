# example: an event-driven engine refreshes the window tensor asynchronously when the block count changes, runs the step through its process function, and a handler reads the stored step output back only every 100 iterations; positive.
import math
from collections import defaultdict

import torch


class Engine:
    def __init__(self, process):
        self.process = process
        self.handlers = defaultdict(list)
        self.iteration = 0
        self.output = None

    def on(self, event):
        def register(fn):
            self.handlers[event].append(fn)
            return fn
        return register

    def fire(self, event):
        for fn in self.handlers[event]:
            fn(self)

    def run(self, batches, steps):
        for _ in range(steps):
            self.iteration += 1
            self.fire("started")
            self.output = self.process(self, next(batches))
            self.fire("completed")


model = torch.nn.Linear(8, 8).cuda()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
blocks_dev = torch.tensor(1, dtype=torch.int32, device="cuda")
blocks_host = [1]


def train_step(engine, batch):
    x, y = batch
    loss = model(x, y, blocks_dev)
    loss.backward()
    optimizer.step()
    model.zero_grad(set_to_none=True)
    return loss.detach()


engine = Engine(train_step)


@engine.on("started")
def refresh_blocks(e):
    blocks = max(1, math.ceil((64 + 1728 * e.iteration / 1750) / 128))
    if blocks != blocks_host[0]:
        blocks_dev.copy_(blocks, non_blocking=True)
        blocks_host[0] = blocks


@engine.on("completed")
def log_loss(e):
    if e.iteration % 100 == 0:
        print(f"step {e.iteration} loss {e.output.item():.4f}")
