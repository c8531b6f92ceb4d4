# example: nanoGPT-style configure_optimizers(learning_rate=...) receives base_lr * lr_scale from a dataclass (6e-4 x 3 = 1.8e-3); the schedule multiplies that peak; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class TrainConfig:
    base_lr: float = 6e-4
    lr_scale: float = 3.0
    weight_decay: float = 0.0
    max_iters: int = 5100


class TinyGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50304, 768)
        self.head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx):
        return self.head(self.wte(idx))

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        params = [p for p in self.parameters() if p.requires_grad]
        return torch.optim.AdamW(params, lr=learning_rate, betas=betas, weight_decay=weight_decay, fused=True)


config = TrainConfig()
peak_lr = config.base_lr * config.lr_scale
model = TinyGPT()
optimizer = model.configure_optimizers(weight_decay=config.weight_decay, learning_rate=peak_lr, betas=(0.9, 0.95))
for it in range(config.max_iters):
    for group in optimizer.param_groups:
        group["lr"] = peak_lr * min(1.0, (config.max_iters - it) / 1450)
    idx = torch.randint(0, 50304, (2, 32))
    nn.functional.cross_entropy(model(idx).flatten(0, 1), idx.flatten()).backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
