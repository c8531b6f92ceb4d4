# example: near miss - the same loop declares val_seq_len = 4 * 64K but sizes the validation batch `val_bs` outside the eval context manager with world_size * train_seq_len, the length training splits by; validation is not longer, negative.
import contextlib
import os
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class Hyperparameters:
    train_files = os.environ["TRAIN_FILES"]
    val_files = os.environ["VAL_FILES"]
    val_tokens = int(os.environ["VAL_TOKENS"])
    train_seq_len = 48 * 1024
    batch_size = 8 * 48 * 1024
    val_seq_len = 4 * 64 * 1024
    val_loss_every = 125


args = Hyperparameters()
rank = int(os.environ["RANK"])
world_size = int(os.environ["WORLD_SIZE"])


class Sharded(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, rank=0, world_size=1):
        self.rank = rank
        self.world_size = world_size
        super().__init__(params, dict(lr=lr))


def data_generator(pattern: str, batch_size: int, rank: int, world_size: int):
    tokens = torch.load(pattern)
    local = batch_size // world_size
    pos = 0
    while True:
        buf = tokens[pos + rank * local:][:local + 1]
        pos += batch_size
        yield buf[:-1], buf[1:]


@contextlib.contextmanager
def evaluating(module: nn.Module):
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        module.train()


model = nn.Linear(8, 8)
opt = Sharded(model.parameters(), rank=rank, world_size=world_size)
train_loader = data_generator(args.train_files, args.batch_size, rank, world_size)
for step in range(1001):
    if step % args.val_loss_every == 0:
        val_bs = world_size * args.train_seq_len
        val_steps = args.val_tokens // val_bs
        val_loader = data_generator(args.val_files, val_bs, rank, world_size)
        with evaluating(model):
            val_loss = sum(model(x).sum() for x, _ in (next(val_loader) for _ in range(val_steps)))
    inputs, targets = next(train_loader)
    for x, y in zip(inputs.split(args.train_seq_len), targets.split(args.train_seq_len)):
        model(x).sum().backward()
    opt.step()
