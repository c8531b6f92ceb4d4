# example: Hyperparameters class with learning_rate = 0.0018 passed through configure_optimizers into AdamW and scaled by the schedule; positive.
from dataclasses import dataclass
import torch
import torch.nn as nn


@dataclass
class Hyperparameters:
    num_iterations = 9536
    learning_rate = 0.0018
    warmup_iters = 256
    warmdown_iters = 2000
    weight_decay = 0.1


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(768, 768, bias=False)

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        return torch.optim.AdamW(self.parameters(), lr=learning_rate, weight_decay=weight_decay, betas=betas)


args = Hyperparameters()
model = Model()
optimizer = model.configure_optimizers(args.weight_decay, args.learning_rate, (0.9, 0.95))


def get_lr(it):
    if it < args.warmup_iters:
        return args.learning_rate * (it + 1) / args.warmup_iters
    if it < args.num_iterations - args.warmdown_iters:
        return args.learning_rate
    return args.learning_rate * (args.num_iterations - it) / args.warmdown_iters


for it in range(args.num_iterations):
    for g in optimizer.param_groups:
        g["lr"] = get_lr(it)
