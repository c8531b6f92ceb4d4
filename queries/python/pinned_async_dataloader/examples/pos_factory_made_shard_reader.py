# example: a factory returns read_shard, which reads a shard straight into a pinned uint16 tensor; the module binds _load_shard = make_shard_reader() and the loader copies windows of what it returns with non_blocking=True; present.
import glob

import numpy as np
import torch


def make_shard_reader(header_ints=256):
    def read_shard(filename):
        with open(filename, "rb", buffering=0) as f:
            header = np.frombuffer(f.read(header_ints * 4), dtype=np.int32)
            ntok = int(header[2])
            tokens = torch.empty(ntok, dtype=torch.uint16, pin_memory=True)
            f.readinto(tokens.numpy())
        return tokens
    return read_shard


_load_shard = make_shard_reader()


class Loader:
    def __init__(self, pattern, T):
        self.files = sorted(glob.glob(pattern))
        self.T = T
        self.tokens = _load_shard(self.files[0])
        self.position = 0

    def next_batch(self):
        window = self.tokens[self.position:self.position + self.T + 1]
        self.position += self.T
        x = window[:-1].to(device="cuda", dtype=torch.int32, non_blocking=True)
        y = window[1:].to(device="cuda", dtype=torch.int64, non_blocking=True)
        return x, y


loader = Loader("data/train_*.bin", 64 * 1024)
x, y = loader.next_batch()
