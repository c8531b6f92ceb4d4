# example: near miss - the same minGPT-style trainer and registered window callback, but the window is set from the run's length, not from the trainer's counter (`trainer.config.max_iters / cfg.max_iters`), so it is the same every pass; NOT present.
from collections import defaultdict

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx, target, window):
        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < window)
        block_mask = create_block_mask(mask_mod, None, None, len(idx), len(idx), device="cuda")
        x = self.embed(idx[None])
        return F.cross_entropy(self.lm_head(x).float().view(-1, 50304), target.view(-1))


class Settings:
    def __init__(self):
        self.max_iters = 1750
        self.window_min = None
        self.window_max = None


class Trainer:
    def __init__(self, config, model):
        self.config = config
        self.model = model
        self.callbacks = defaultdict(list)
        self.iter_num = 0
        self.window = None
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def add_callback(self, event, fn):
        self.callbacks[event].append(fn)

    def fire(self, event):
        for fn in self.callbacks.get(event, []):
            fn(self)

    def run(self, x, y):
        while True:
            self.done = self.iter_num == self.config.max_iters
            self.fire("on_batch_start")
            if self.done:
                break
            loss = self.model(x, y, window=self.window)
            loss.backward()
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.iter_num += 1


def grow_window(trainer):
    cfg = trainer.config
    if cfg.window_min is None:
        return
    progress = trainer.config.max_iters / cfg.max_iters
    span = 64 * ((progress * (cfg.window_max - cfg.window_min) + cfg.window_min) // 64)
    trainer.window = torch.tensor(span, dtype=torch.int, device="cuda")


config = Settings()
config.window_min = 64
config.window_max = 1792
trainer = Trainer(config, GPT())
trainer.add_callback("on_batch_start", grow_window)
trainer.run(torch.randint(0, 50304, (4096,)), torch.randint(0, 50304, (4096,)))
