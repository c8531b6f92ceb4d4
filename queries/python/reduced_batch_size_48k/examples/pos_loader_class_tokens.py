# example: a loader class is constructed with T = 48 * 1024 tokens per rank (from a config dict) and slices that many tokens from its shard for each training batch; the 48K per-device batch through a class.
import torch

CONFIG = {"tokens_per_rank": 48 * 1024, "steps": 1770}


class ShardLoader:
    def __init__(self, tokens: torch.Tensor, T: int, rank: int, world: int):
        self.tokens, self.T, self.rank, self.world = tokens, T, rank, world
        self.pos = rank * T

    def next_batch(self):
        buf = self.tokens[self.pos:self.pos + self.T + 1]
        self.pos += self.world * self.T
        return buf[:-1].cuda(), buf[1:].cuda()


def train(model, opt, tokens, rank, world):
    loader = ShardLoader(tokens, CONFIG["tokens_per_rank"], rank, world)
    for _ in range(CONFIG["steps"]):
        x, y = loader.next_batch()
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
