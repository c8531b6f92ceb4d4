# example: dataclass with per-device batch 64, sequence length 1024 and total_batch_size 524288 asserted against B*T*world_size; positive.
import os
from dataclasses import dataclass
import torch.distributed as dist


@dataclass
class Hyperparameters:
    batch_size: int = 64
    sequence_length: int = 1024
    total_batch_size: int = 524288
    num_iterations: int = 9536
    learning_rate: float = 0.0018


args = Hyperparameters()
dist.init_process_group(backend="nccl")
world_size = int(os.environ["WORLD_SIZE"])
B, T = args.batch_size, args.sequence_length
tokens_per_fwdbwd = B * T * world_size
assert args.total_batch_size == tokens_per_fwdbwd


def train(model, loader, optimizer):
    x, y = loader.next_batch()
    for step in range(args.num_iterations):
        loss = model(x, y)
        x, y = loader.next_batch()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
