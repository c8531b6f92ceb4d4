# example: a config dict gives a 2**16-token context and the loader returns batches reshaped to (1, -1); one long packed sequence per device in another layout.
import numpy as np
import torch

CONFIG = {"context": 2 ** 16, "steps": 1500}


class Stream:
    def __init__(self, tokens: np.ndarray, rank: int, world: int):
        self.tokens, self.rank, self.world = tokens, rank, world
        self.cursor = rank * CONFIG["context"]

    def next_batch(self):
        span = CONFIG["context"]
        window = torch.from_numpy(self.tokens[self.cursor:self.cursor + span + 1].astype(np.int64))
        self.cursor += span * self.world
        return window[:-1].view(1, -1).cuda(), window[1:].view(1, -1).cuda()
