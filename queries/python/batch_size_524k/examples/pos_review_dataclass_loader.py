# example: dataclass config (16 sequences x 1024 tokens per device, 4 accumulation steps) and a loader class that strides by B*T*world; 16*1024*4*8 GPUs = 524,288 tokens per step; positive.
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist


@dataclass
class DataConfig:
    device_batch: int = 16
    seq_len: int = 1024
    grad_accum: int = 4


class ShardLoader:
    def __init__(self, tokens: np.ndarray, B: int, T: int, rank: int, world: int):
        self.tokens, self.B, self.T = tokens, B, T
        self.rank, self.world = rank, world
        self.cursor = B * T * rank

    def next_batch(self):
        span = self.tokens[self.cursor : self.cursor + self.B * self.T + 1]
        buf = torch.from_numpy(span.astype(np.int64))
        self.cursor += self.B * self.T * self.world
        return buf[:-1].view(self.B, self.T), buf[1:].view(self.B, self.T)


def train(model, optimizer, tokens, cfg: DataConfig, steps: int):
    dist.init_process_group("nccl")
    loader = ShardLoader(tokens, cfg.device_batch, cfg.seq_len, dist.get_rank(), dist.get_world_size())
    for step in range(steps):
        for micro in range(cfg.grad_accum):
            x, y = loader.next_batch()
            loss = model(x, y) / cfg.grad_accum
            loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    cfg = DataConfig()
    train(torch.nn.Identity(), None, np.zeros(10**8, dtype=np.uint16), cfg, int(os.environ.get("STEPS", 9000)))
