# example: validation has its own length setting, four times the training length (4 * 64 * 1024 against 64 * 1024), used to size the validation batches; present.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    val_tokens: int = 10485760
    seq_len: int = 64 * 1024
    val_seq_len: int = 4 * 64 * 1024


args = Hyperparameters()


def train_step(model, make_loader, train_files, world_size):
    x, y = next(make_loader(train_files, world_size * args.seq_len))
    return model(x, y)


def evaluate(model, make_loader, val_files, world_size):
    val_bs = world_size * args.val_seq_len
    val_steps = args.val_tokens // val_bs
    loader = make_loader(val_files, val_bs)
    total = 0
    with torch.no_grad():
        for _ in range(val_steps):
            x, y = next(loader)
            total += model(x, y)
    return total / val_steps
