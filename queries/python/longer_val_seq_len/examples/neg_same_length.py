# example: validation batches are sized with the training seq_len (world_size * args.seq_len); no separate, longer validation length, so NOT present.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    val_tokens: int = 10485760
    seq_len: int = 64 * 1024


args = Hyperparameters()


def evaluate(model, make_loader, val_files, world_size, sw):
    val_bs = world_size * args.seq_len
    val_steps = args.val_tokens // val_bs
    loader = make_loader(val_files, val_bs)
    total = 0
    with torch.no_grad():
        for _ in range(val_steps):
            x, y = next(loader)
            total += model(x, y, sw)
    return total / val_steps
