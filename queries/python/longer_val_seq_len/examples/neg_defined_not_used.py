# example: val_seq_len = 4*64*1024 is declared, but the validation loader is still built with args.seq_len, so validation runs at training length; NOT present (near miss).
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    val_tokens: int = 10485760
    seq_len: int = 64 * 1024
    val_seq_len: int = 4 * 64 * 1024  # planned


args = Hyperparameters()


def evaluate(model, make_loader, val_files, world_size, sw):
    val_batch_size = world_size * args.seq_len
    val_steps = args.val_tokens // val_batch_size
    loader = make_loader(val_files, val_batch_size)
    with torch.no_grad():
        losses = [model(*next(loader), sw) for _ in range(val_steps)]
    return sum(losses) / val_steps
