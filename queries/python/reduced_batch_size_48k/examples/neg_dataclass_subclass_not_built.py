# example: near miss - a subclass with seq_len = 48 * 1024 is defined but the script builds the base Hyperparameters, so each GPU still trains on 65,536 tokens; negative.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    seq_len: int = 64 * 1024
    num_iterations: int = 1393


@dataclass
class SmallBatch(Hyperparameters):
    seq_len: int = 48 * 1024
    num_iterations: int = 1770


H = Hyperparameters()


def train(model, stream: torch.Tensor, opt, rank: int, world: int):
    p = rank * H.seq_len
    for step in range(H.num_iterations):
        b = stream[p: p + H.seq_len + 1]
        model(b[:-1].cuda().int(), b[1:].cuda().long()).backward()
        opt.step(); opt.zero_grad(set_to_none=True)
        p += world * H.seq_len
