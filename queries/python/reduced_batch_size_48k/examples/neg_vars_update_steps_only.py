# example: the hyperparameter dataclass keeps 64K tokens per GPU, and vars(args).update(...) after it is built only changes the step count; the per-GPU slice stays 64K; NOT present.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    seq_len: int = 64 * 1024
    num_iterations: int = 1390


args = Hyperparameters()
vars(args).update(num_iterations=1770)


def train(model, stream: torch.Tensor, opt, rank: int, world: int):
    offset = rank * args.seq_len
    for step in range(args.num_iterations):
        chunk = stream[offset: offset + args.seq_len + 1]
        x, y = chunk[:-1].cuda().int(), chunk[1:].cuda().long()
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        offset += world * args.seq_len
