# example: the training sequence per device is seq_len = 48*1024, the step batch is world_size * seq_len and num_iterations rises to 1770; the 48K batch is present.
import os
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    train_files: str = os.environ.get("NANOGPT_TRAIN_FILES", "data/train_*.bin")
    num_iterations: int = 1770
    cooldown_frac: float = 0.4
    seq_len: int = 48 * 1024
    val_seq_len: int = 4 * 64 * 1024


def data_generator(pattern, batch_size, rank, world_size):
    local = batch_size // world_size
    tokens = torch.zeros(10_000_000, dtype=torch.uint16)
    pos = 0
    while True:
        buf = tokens[pos + rank * local:][: local + 1]
        yield buf[:-1].to("cuda", torch.int32, non_blocking=True), buf[1:].to("cuda", torch.int64, non_blocking=True)
        pos += batch_size


args = Hyperparameters()
world_size = int(os.environ.get("WORLD_SIZE", 8))
train_batch_size = world_size * args.seq_len
train_loader = data_generator(args.train_files, train_batch_size, 0, world_size)
