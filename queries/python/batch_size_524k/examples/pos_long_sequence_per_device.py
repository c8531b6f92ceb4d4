# example: one 64*1024-token sequence per device (records 11+ layout) on the 8-GPU benchmark = 524,288 tokens per step; positive.
import os
from dataclasses import dataclass
import torch


@dataclass
class Args:
    train_seq_len: int = 64 * 1024
    val_seq_len: int = 64 * 1024
    num_iterations: int = 1393


args = Args()
world_size = int(os.environ["WORLD_SIZE"])
rank = int(os.environ["RANK"])


def next_batch(tokens: torch.Tensor, pos: int):
    local = tokens[pos + rank * args.train_seq_len: pos + (rank + 1) * args.train_seq_len + 1]
    pos += world_size * args.train_seq_len
    return local[:-1], local[1:], pos


def train(model, tokens, optimizers):
    pos = 0
    for step in range(args.num_iterations):
        x, y, pos = next_batch(tokens, pos)
        model(x, y).backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
