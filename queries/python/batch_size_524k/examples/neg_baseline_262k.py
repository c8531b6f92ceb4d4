# example: record-1 settings, 32 sequences of 1024 per device and total_batch_size 262144; negative (half the tokens per step).
import os
from dataclasses import dataclass


@dataclass
class Hyperparameters:
    batch_size = 32
    sequence_length = 1024
    total_batch_size = 262144
    num_iterations = 24576


args = Hyperparameters()
B, T = args.batch_size, args.sequence_length
ddp_world_size = int(os.environ["WORLD_SIZE"])
assert args.total_batch_size == B * T * ddp_world_size


def step_loop(model, loader, optimizer):
    for it in range(args.num_iterations):
        x, y = loader.next_batch()
        model(x, y).backward()
        optimizer.step()
        optimizer.zero_grad()
