# example: losses accumulate on the GPU and are read back only every 100 steps, while the window tensor is refreshed in place with a non-blocking copy when it changes; a third spelling.
import torch


class Trainer:
    def __init__(self, model, optimizer, loader, steps, log_every=100):
        self.model, self.optimizer, self.loader = model, optimizer, loader
        self.steps, self.log_every = steps, log_every
        self.window = torch.ones((), dtype=torch.int32, device="cuda")
        self.window_host = 1

    def set_window(self, blocks: int):
        if blocks != self.window_host:
            self.window.copy_(torch.tensor(blocks, dtype=torch.int32), non_blocking=True)
            self.window_host = blocks

    def run(self):
        running = torch.zeros((), device="cuda")
        for step in range(self.steps):
            self.set_window(1 + (13 * step) // self.steps)
            x, y = next(self.loader)
            loss = self.model(x, y, self.window)
            loss.backward()
            running += loss.detach()
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            if (step + 1) % self.log_every == 0:
                print(f"step {step + 1}: mean loss {(running / self.log_every).item():.4f}")
                running.zero_()
