# example: training still uses 64*1024 tokens per device (8*64*1024 per step) with 1393 iterations; NOT the reduced batch.
from dataclasses import dataclass


@dataclass
class Hyperparameters:
    batch_size: int = 8 * 64 * 1024
    num_iterations: int = 1393
    cooldown_frac: float = 0.4
    seq_len: int = 64 * 1024


args = Hyperparameters()


def split_batch(inputs, targets):
    return zip(inputs.split(args.seq_len), targets.split(args.seq_len))


def train_step(model, train_loader):
    inputs, targets = next(train_loader)
    for x, y in split_batch(inputs, targets):
        model(x, y).backward()
