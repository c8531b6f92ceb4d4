# example: the loader is handed two callable strategy objects: a reader whose __call__ reads a shard into a pinned uint16 tensor, and a transfer whose __call__ copies a window of it to the GPU with non_blocking=True; present.
import glob

import torch


class PinnedShardReader:
    def __call__(self, filename):
        header = torch.from_file(filename, False, 256, dtype=torch.int32)
        ntok = int(header[2])
        tokens = torch.empty(ntok, dtype=torch.uint16, pin_memory=True)
        with open(filename, "rb", buffering=0) as f:
            f.seek(256 * 4)
            f.readinto(tokens.numpy())
        return tokens


class AsyncTransfer:
    def __call__(self, window):
        inputs = window[:-1].to(device="cuda", dtype=torch.int32, non_blocking=True)
        targets = window[1:].to(device="cuda", dtype=torch.int64, non_blocking=True)
        return inputs, targets


class Loader:
    def __init__(self, pattern, T, reader, transfer):
        self.files = sorted(glob.glob(pattern))
        self.T, self.reader, self.transfer = T, reader, transfer
        self.tokens = self.reader(self.files[0])
        self.position = 0

    def next_batch(self):
        window = self.tokens[self.position:self.position + self.T + 1]
        self.position += self.T
        return self.transfer(window)


loader = Loader("data/train_*.bin", 64 * 1024, reader=PinnedShardReader(), transfer=AsyncTransfer())
x, y = loader.next_batch()
