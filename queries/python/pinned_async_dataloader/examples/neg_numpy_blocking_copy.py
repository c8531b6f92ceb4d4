# example: shards are read with np.frombuffer, converted with torch.tensor(...astype) and moved with a plain .cuda(); no pinned memory, no async copy, so NOT present.
import numpy as np
import torch


def load_shard(filename):
    with open(filename, "rb") as f:
        header = np.frombuffer(f.read(256 * 4), dtype=np.int32)
        assert header[0] == 20240520
        tokens = np.frombuffer(f.read(), dtype=np.uint16)
    return tokens


class DataLoaderLite:
    def __init__(self, filename, T):
        self.tokens, self.T, self.pos = load_shard(filename), T, 0

    def next_batch(self):
        buf = self.tokens[self.pos:self.pos + self.T + 1]
        buf = torch.tensor(buf.astype(np.int32), dtype=torch.long)
        self.pos += self.T
        return buf[:-1].cuda(), buf[1:].cuda()
