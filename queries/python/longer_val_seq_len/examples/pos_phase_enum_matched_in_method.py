# example: a settings method picks the length with a `match` on a phase enum (`case Phase.VAL: return self.val_seq_len`); validation asks for Phase.VAL (256K tokens), training for Phase.TRAIN (48K); present.
import enum
import os
from dataclasses import dataclass

import torch


class Phase(enum.Enum):
    TRAIN = "train"
    VAL = "val"


@dataclass
class Hyperparameters:
    val_tokens: int = 10485760
    train_seq_len: int = 48 * 1024
    val_seq_len: int = 4 * 64 * 1024

    def seq_len_for(self, phase: Phase) -> int:
        match phase:
            case Phase.TRAIN:
                return self.train_seq_len
            case Phase.VAL:
                return self.val_seq_len


args = Hyperparameters()
world_size = int(os.environ["WORLD_SIZE"])


def loader(files, batch_size):
    tokens, pos = torch.zeros(1 << 24, dtype=torch.int32), 0
    while True:
        buf = tokens[pos:][:batch_size + 1]
        pos += batch_size
        yield buf[:-1], buf[1:]


def train(model, opt, steps):
    batches = loader("train_*.bin", world_size * args.seq_len_for(Phase.TRAIN))
    for step in range(steps):
        if step % 125 == 0:
            model.eval()
            val_bs = world_size * args.seq_len_for(Phase.VAL)
            val_loader = loader("val_*.bin", val_bs)
            with torch.no_grad():
                for _ in range(args.val_tokens // val_bs):
                    x, y = next(val_loader)
                    model(x, y)
            model.train()
        inputs, targets = next(batches)
        piece = args.seq_len_for(Phase.TRAIN)
        for x, y in zip(inputs.split(piece), targets.split(piece)):
            model(x, y).backward()
        opt.step()
