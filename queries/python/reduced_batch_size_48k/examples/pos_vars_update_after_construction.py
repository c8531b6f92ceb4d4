# example: the hyperparameter dataclass keeps 64K tokens per GPU, and vars(args).update(...) right after it is built sets 48K (48 * 1024) per GPU, the size each GPU's training slice takes; present.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    seq_len: int = 64 * 1024
    num_iterations: int = 1390


args = Hyperparameters()
vars(args).update(seq_len=48 * 1024, num_iterations=1770)


def train(model, stream: torch.Tensor, opt, rank: int, world: int):
    offset = rank * args.seq_len
    for step in range(args.num_iterations):
        chunk = stream[offset: offset + args.seq_len + 1]
        x, y = chunk[:-1].cuda().int(), chunk[1:].cuda().long()
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        offset += world * args.seq_len
