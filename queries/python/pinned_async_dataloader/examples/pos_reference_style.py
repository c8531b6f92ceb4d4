# example: each shard is read with readinto into a pinned uint16 tensor and batches move to the GPU with non_blocking=True; pinned async loading is present.
import glob

import torch

HEADER_BYTES = 256 * 4


def shard_length(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    assert int(header[0]) == 20240520, "bad magic"
    return int(header[2])


def read_shard(path):
    count = shard_length(path)
    host_buf = torch.empty(count, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(HEADER_BYTES)
        got = fh.readinto(host_buf.numpy())
    assert got == 2 * count, "short read"
    return host_buf


class ShardLoader:
    def __init__(self, pattern, T, rank, world):
        self.paths = sorted(glob.glob(pattern))
        self.T, self.rank, self.world = T, rank, world
        self.index, self.tokens, self.cursor = 0, read_shard(self.paths[0]), rank * T

    def next_batch(self):
        window = self.tokens[self.cursor:self.cursor + self.T + 1]
        inputs = window[:-1].to(device="cuda", dtype=torch.int32, non_blocking=True)
        labels = window[1:].to(device="cuda", dtype=torch.int64, non_blocking=True)
        self.cursor += self.T * self.world
        if self.cursor + self.T * self.world + 1 >= len(self.tokens):
            self.index = (self.index + 1) % len(self.paths)
            self.tokens, self.cursor = read_shard(self.paths[self.index]), self.rank * self.T
        return inputs, labels
