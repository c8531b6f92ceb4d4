# example: get_lr with three branches (linear warmup, constant peak, linear warmdown over the last warmdown_iters steps) written into param_groups each step; positive.
from dataclasses import dataclass
import torch


@dataclass
class TrainConfig:
    num_iterations: int = 9536
    learning_rate: float = 0.0018
    warmup_iters: int = 256
    warmdown_iters: int = 2000


cfg = TrainConfig()
model = torch.nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, betas=(0.9, 0.95))


def lr_at(step):
    if step < cfg.warmup_iters:
        return cfg.learning_rate * (step + 1) / cfg.warmup_iters
    if step < cfg.num_iterations - cfg.warmdown_iters:
        return cfg.learning_rate
    remaining = cfg.num_iterations - step
    return cfg.learning_rate * remaining / cfg.warmdown_iters


for step in range(cfg.num_iterations):
    loss = model(torch.randn(8, 768)).square().mean()
    loss.backward()
    for group in optimizer.param_groups:
        group["lr"] = lr_at(step)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
