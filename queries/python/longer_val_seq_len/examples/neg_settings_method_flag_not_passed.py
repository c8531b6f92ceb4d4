# example: the settings method can return the 256K validation length, but validation calls it without validation=True, so validation reads train_seq_len batches; NOT a longer validation length (near miss).
import os
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    val_tokens: int = 10485760
    train_seq_len: int = 48 * 1024
    val_seq_len: int = 4 * 64 * 1024

    def global_batch(self, world_size, *, validation=False):
        return world_size * (self.val_seq_len if validation else self.train_seq_len)


args = Hyperparameters()
world_size = int(os.environ["WORLD_SIZE"])


def loader(files, batch_size):
    tokens, pos = torch.zeros(1 << 24, dtype=torch.int32), 0
    while True:
        buf = tokens[pos:][:batch_size + 1]
        pos += batch_size
        yield buf[:-1], buf[1:]


def train(model, opt, steps):
    batches = loader("train_*.bin", args.global_batch(world_size))
    for step in range(steps):
        if step % 125 == 0:
            model.eval()
            val_bs = args.global_batch(world_size)
            val_loader = loader("val_*.bin", val_bs)
            with torch.no_grad():
                for _ in range(args.val_tokens // val_bs):
                    x, y = next(val_loader)
                    model(x, y)
            model.train()
        inputs, targets = next(batches)
        for x, y in zip(inputs.split(args.train_seq_len), targets.split(args.train_seq_len)):
            model(x, y).backward()
        opt.step()
