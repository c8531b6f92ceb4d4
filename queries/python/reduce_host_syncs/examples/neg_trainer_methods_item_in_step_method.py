# example: near miss - the same trainer methods and asynchronous window refresh, but the step method reads the loss back on every step to keep a running log (`float(loss.item())`), so the host still waits for the GPU each step; NOT present.
import math

import torch


class Trainer:
    def __init__(self, model, optimizer, loader, total_steps):
        self.model, self.optimizer, self.loader, self.total_steps = model, optimizer, loader, total_steps
        self.blocks_dev = torch.tensor(1, dtype=torch.int32, device="cuda")
        self.blocks_host = 1
        self.step_index = 0
        self.history = []
        self.x, self.y = loader.next_batch()

    def refresh_blocks(self):
        tokens = 64 + (1792 - 64) * self.step_index / self.total_steps
        blocks = max(1, math.ceil(tokens / 128))
        if blocks != self.blocks_host:
            self.blocks_dev.copy_(blocks, non_blocking=True)
            self.blocks_host = blocks

    def one_step(self):
        loss = self.model(self.x, self.y, self.blocks_dev)
        self.x, self.y = self.loader.next_batch()
        loss.backward()
        self.optimizer.step()
        self.model.zero_grad(set_to_none=True)
        self.history.append(float(loss.item()))
        return loss.detach()

    def fit(self):
        while self.step_index < self.total_steps:
            self.refresh_blocks()
            loss = self.one_step()
            if self.step_index % 100 == 0:
                print(f"step {self.step_index} loss {loss.item():.4f}")
            self.step_index += 1
